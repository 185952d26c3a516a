"""The documentation site: its pages' code runs, it builds in strict mode, it renders in Chromium.

* Every ```bash and ```python block of the tutorials and how-to guides runs (``test_page_runs``),
  the blocks of a page in order in one temporary folder (Python blocks share one namespace), with
  ``neurosim`` and ``python`` on the PATH and ``data/`` there linked to the real-data folder. A block
  preceded by ``<!-- norun: reason -->`` is not run (GPU, cluster, download); there are few.
* A tutorial embeds only figures its own code makes: ``<!-- figure: OUTPUT -> figures/NAME -->`` names
  the file its run writes and the committed copy ``docs/figures/NAME`` the page shows;
  ``NEUROSIM_DOCS_FIGURES=1`` makes ``test_page_runs`` refresh the copies.
* ``mkdocs build --strict`` passes (any warning fails), and the built site's home page and one page of
  each kind load in headless Chromium without console errors.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, SHARED_DATA, skip_or_fail

DOCS = REPO / "docs"
#: The pages whose code blocks run in CI.
RUN_PAGES = sorted([*(DOCS / "tutorials").glob("*.md"), *(DOCS / "how-to").glob("*.md")])
NORUN = re.compile(r"^<!-- norun: (.+) -->$")
FIGURE = re.compile(r"^<!-- figure: (\S+) -> (figures/\S+) -->$", re.MULTILINE)
#: At most this many blocks may be left out of the runs: a page is tested by running it.
MAX_NORUN = 8
#: One page of each kind for the Chromium smoke test (site paths).
SMOKE_PAGES = ("", "tutorials/first-run/", "how-to/datasets/", "reference/api/", "reference/cli/",
               "explanation/energy/", "studies/", "datasets/nmnist/")


@dataclass(frozen=True)
class Block:
    """A fenced code block of a page: its language, code, first line number and why it does not run."""

    lang: str
    code: str
    line: int
    norun: str | None


def blocks(page: Path) -> list[Block]:
    """The top-level ```bash and ```python blocks of ``page``, in order."""
    found, lines = [], page.read_text().splitlines()
    i = 0
    while i < len(lines):
        opening = re.match(r"^```(bash|python)\s*$", lines[i])
        if opening:
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            norun = NORUN.match(before)
            found.append(Block(opening.group(1), "\n".join(lines[i + 1:end]) + "\n", i + 2,
                               norun.group(1) if norun else None))
            i = end
        i += 1
    return found


def figures(page: Path) -> list[tuple[str, str]]:
    """``(output the page's code writes, committed copy under docs/)`` for each figure it embeds."""
    return FIGURE.findall(page.read_text())


def page_id(page: Path) -> str:
    return str(page.relative_to(DOCS))


# fast checks: the pages' structure ---------------------------------------------------------------

def test_every_tutorial_and_how_to_has_code_that_runs():
    assert {p.parent.name for p in RUN_PAGES} == {"tutorials", "how-to"}
    for page in RUN_PAGES:
        assert any(b.norun is None for b in blocks(page)), f"{page_id(page)}: no block runs"


def test_blocks_left_out_say_why_and_are_few():
    left_out = [(page_id(p), b.line, b.norun) for p in RUN_PAGES for b in blocks(p) if b.norun is not None]
    assert all(reason.strip() for _, _, reason in left_out)
    assert len(left_out) <= MAX_NORUN, left_out


def test_python_blocks_parse():
    for page in RUN_PAGES:
        for block in blocks(page):
            if block.lang == "python":
                ast.parse(block.code, f"{page_id(page)}:{block.line}")


def test_block_parser_reads_norun_markers_and_order(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("text\n\n```bash\necho 1\n```\n\n<!-- norun: needs a GPU -->\n```python\nx = 1\n```\n"
                    "```toml\n[a]\n```\n")
    assert blocks(page) == [Block("bash", "echo 1\n", 4, None), Block("python", "x = 1\n", 9, "needs a GPU")]


def test_embedded_figures_are_committed_and_shown():
    for page in RUN_PAGES:
        text = page.read_text()
        for _, copy in figures(page):
            assert (DOCS / copy).is_file(), f"{page_id(page)}: {copy} is not committed"
            assert f"](../{copy})" in text, f"{page_id(page)} does not show {copy}"


def docs_module(name: str):
    """The module ``docs/<name>.py`` (the build's hooks and extensions)."""
    import importlib

    sys.path.insert(0, str(DOCS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(DOCS))


def test_generated_reference_blocks_come_from_the_code():
    """The reference pages' markers name generators, whose output holds what the code declares."""
    hooks = docs_module("hooks")
    from neurosim.cli import build_parser
    from neurosim.config import list_chips

    markers = {m for page in DOCS.rglob("*.md") for m in hooks.MARKER.findall(page.read_text())}
    assert markers <= hooks.marker_names(), markers - hooks.marker_names()
    assert {"api", "config", "report-schema", "presets", "baselines", "energy-validation"} <= markers
    assert {f"cli-{command}" for command in hooks.cli_commands()} <= markers
    with pytest.raises(KeyError, match="no generated block 'cli-nope'"):
        hooks.generated("cli-nope")
    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    assert all(f"### `neurosim {name}`" in hooks.generated("cli") for name in commands)
    assert all(f"### `{chip}`" in hooks.generated("presets") for chip in list_chips())
    import neurosim
    assert all(f".{name}" in hooks.generated("api") for name in neurosim.__all__ if name != "__version__")
    assert "`energy.improvement_vs_baseline`" in hooks.generated("report-schema")


def test_study_pages_agree_with_their_json():
    """Each study page shows its JSON's commit and commands and holds the JSON itself, value for value."""
    import json

    hooks = docs_module("hooks")
    assert hooks.study_files(), "no study JSON under bench/studies/"
    for path in hooks.study_files():
        data, page = json.loads(path.read_text()), hooks.study_page(path)
        if "commit" in data:
            assert str(data["commit"]) in page
        commands = data.get("commands", data.get("command")) or {}
        for command in (commands.values() if isinstance(commands, dict) else [commands]):
            assert command in page
        shown = page.split("    ```json\n", 1)[1].split("\n    ```", 1)[0]
        assert json.loads(textwrap.dedent(shown)) == data, path.name
        assert f"({path.stem}.md)" in hooks.generated("study-list")


def test_citation_names_the_package_version_license_and_authors():
    """CITATION.cff and the README's BibTeX give the package's version and license and the same authors."""
    import tomllib

    import neurosim

    cff = (REPO / "CITATION.cff").read_text()
    license_ = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["license"]
    assert f'\nversion: "{neurosim.__version__}"\n' in cff and f"\nlicense: {license_}\n" in cff
    assert '\n  - name: "The neurosim developers"\n' in cff
    bibtex = (REPO / "README.md").read_text().split("## How to cite", 1)[1].split("```bibtex\n", 1)[1].split("```")[0]
    assert f"version = {{{neurosim.__version__}}}" in bibtex and f"license = {{{license_}}}" in bibtex
    assert "author  = {{The neurosim developers}}" in bibtex


def test_sphinx_roles_become_markdown_code():
    markdown_roles = docs_module("griffe_roles").markdown_roles
    assert markdown_roles(":class:`~neurosim.config.Config` and :func:`neurosim.run`, ``x``; ```python") == \
        "`Config` and `neurosim.run`, `x`; ```python"


# the runs ----------------------------------------------------------------------------------------

DRIVER = textwrap.dedent("""
    import json, subprocess, sys
    namespace = {"__name__": "__main__"}
    for lang, code, where in json.load(open(sys.argv[1])):
        print(f"--- {where} ({lang})", flush=True)
        if lang == "python":
            exec(compile(code, where, "exec"), namespace)
        else:
            subprocess.run(["bash", "-euo", "pipefail", "-c", code], check=True)
""")


def run_page(page: Path, folder: Path) -> subprocess.CompletedProcess:
    """Run the page's blocks in ``folder`` (see the module's docstring); its output."""
    import json

    bin_dir = folder / ".bin"
    bin_dir.mkdir()
    for name, command in (("neurosim", f'"{sys.executable}" -m neurosim'), ("python", f'"{sys.executable}"')):
        (bin_dir / name).write_text(f'#!/bin/sh\nexec {command} "$@"\n')
        (bin_dir / name).chmod(0o755)
    if SHARED_DATA.is_dir():
        (folder / "data").symlink_to(SHARED_DATA)
    for name in ("configs", "examples"):  # the pages run as from the repository's root
        (folder / name).symlink_to(REPO / name)
    todo = [(b.lang, b.code, f"{page_id(page)}:{b.line}") for b in blocks(page) if b.norun is None]
    (bin_dir / "blocks.json").write_text(json.dumps(todo))
    (bin_dir / "driver.py").write_text(DRIVER)
    path = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]])
    env = {**os.environ, "PATH": path, "PYTHONPATH": str(REPO),
           "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, str(bin_dir / "driver.py"), str(bin_dir / "blocks.json")],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=1800)


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("page", RUN_PAGES, ids=page_id)
def test_page_runs(page, tmp_path):
    if "data/" in page.read_text() and not SHARED_DATA.is_dir():
        skip_or_fail(f"real data not found at {SHARED_DATA}")
    done = run_page(page, tmp_path)
    assert done.returncode == 0, f"{page_id(page)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    for output, copy in figures(page):
        made = tmp_path / output
        assert made.is_file(), f"{page_id(page)} embeds {copy}, but its code did not write {output}"
        if os.environ.get("NEUROSIM_DOCS_FIGURES"):
            shutil.copyfile(made, DOCS / copy)


# the site ----------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The site built by ``mkdocs build --strict`` into a temporary folder, and the build's return code and
    stderr: built once per test session, also when pytest-xdist spreads the tests that use it over
    workers (they share the session's temporary root; a lock lets the first one build, the others wait
    and read its result)."""
    import fcntl
    import json

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # basetemp is <session>/popen-gwN: share the session's
        root = root.parent
    folder, result = root / "docs-site", root / "docs-site.json"
    with open(root / "docs-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result.is_file():
            done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(REPO / "mkdocs.yml"),
                                   "-d", str(folder)], cwd=REPO, capture_output=True, text=True, timeout=900,
                                  env={**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1",
                                       "NO_MKDOCS_2_WARNING": "1"})
            result.write_text(json.dumps({"returncode": done.returncode, "stderr": done.stderr}))
    built = json.loads(result.read_text())
    return folder, subprocess.CompletedProcess([], built["returncode"], "", built["stderr"])


@pytest.mark.slow
def test_site_builds_in_strict_mode(site):
    folder, done = site
    assert done.returncode == 0, done.stderr[-4000:]
    assert "WARNING" not in done.stderr, done.stderr[-4000:]
    assert (folder / "index.html").is_file()
    cli = (folder / "reference" / "cli" / "index.html").read_text()
    assert "neurosim sweep" in cli and "<!-- generate:" not in cli


@pytest.mark.slow
def test_built_study_pages_embed_their_figures_drawn_from_the_json(site):
    """Each figure a study script draws from its JSON is in the built site, byte for byte what the JSON gives
    now, and shown on the study's generated page; a hand-written page shows only figures that exist."""
    folder, done = site
    assert done.returncode == 0, done.stderr[-4000:]
    hooks = docs_module("hooks")
    drawn = {}
    for path in hooks.study_files():
        html = (folder / "studies" / path.stem / "index.html").read_text()
        for uri, svg in hooks.study_svgs(path).items():
            drawn[uri] = svg
            assert (folder / uri).read_bytes() == svg, f"{uri}: the built figure differs from {path.name}'s"
            assert f'src="../figures/{uri.rsplit("/", 1)[1]}"' in html, f"studies/{path.stem}: {uri} not shown"
    assert len(drawn) >= 8
    for page in (DOCS / "studies").glob("*.md"):
        for name in re.findall(r"\]\((?:\.\./studies/)?figures/([\w.-]+\.svg)\)", page.read_text()):
            assert f"studies/figures/{name}" in drawn, f"{page_id(page)} shows figures/{name}, which no study draws"


@pytest.mark.slow
def test_site_pages_render_in_chromium_without_console_errors(site):
    folder, done = site
    assert done.returncode == 0, done.stderr[-4000:]
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        skip_or_fail("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    with socket.socket() as probe:  # a free port for the site's server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        for path in SMOKE_PAGES:
            run = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                                  "--v=0", "--virtual-time-budget=5000", "--dump-dom",
                                  f"http://127.0.0.1:{port}/{path}"], capture_output=True, text=True, timeout=120)
            assert run.returncode == 0, run.stderr[-2000:]
            assert "<article" in run.stdout, f"/{path}: no page content"
            console = [line for line in run.stderr.splitlines()
                       if "CONSOLE" in line or "Failed to load" in line or "net::ERR" in line]
            assert console == [], f"/{path}: {console}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(port: int) -> None:
    import time

    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"the site's server did not start on port {port}")
