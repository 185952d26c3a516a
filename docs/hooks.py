"""mkdocs hooks: the reference pages' generated parts, made from the code at build time.

A page asks for a generated block with a marker line ``<!-- generate: NAME -->`` (NAME one of
:data:`GENERATORS`, or ``cli-COMMAND`` for one command's block); the build replaces the marker with the
block, so the reference pages cannot drift from the parser, the config fields, the presets, the report
schema or the bench's output. The dataset cards (``datasets/*.md``, the repository's own files) are
added to the site as pages ``datasets/<card>.md`` without being copied into ``docs/``, and each study
result ``bench/studies/*.json`` as a page ``studies/<name>.md`` (:func:`study_page`).

A study's figures are drawn from its committed JSON by its study script (:func:`study_script`): a script
that defines ``figures(data: dict) -> dict[str, matplotlib.figure.Figure]`` has each figure saved, at
build time, as ``studies/figures/<stem>-<key>.svg`` (generated, never committed; :func:`study_svgs`) and
embedded on the study's generated page; a hand-written page may show one by that path.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import tomllib
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # the build imports the checkout it documents
    sys.path.insert(0, str(REPO))

MARKER = re.compile(r"^<!-- generate: ([\w-]+) -->$", re.MULTILINE)
CARDS = REPO / "datasets"
STUDIES = REPO / "bench" / "studies"
#: A script path in a study JSON's recorded command (``python bench/studies/ir_drop.py``).
SCRIPT = re.compile(r"\bbench/[\w/]+\.py\b")


def api() -> str:
    """One mkdocstrings block per name of ``neurosim.__all__``, from the module that defines it."""
    import neurosim

    blocks = []
    for name in neurosim.__all__:
        if name == "__version__":
            continue
        home = neurosim._HOMES.get(name, "neurosim.errors")
        blocks.append(f"::: {home}.{name}")
    return "\n\n".join(blocks)


def cli() -> str:
    """Every command's description, synopsis and options, from the argparse parser."""
    from neurosim.cli import reference_markdown

    return reference_markdown()


def config() -> str:
    """The table of every config key (default, unit, allowed values, meaning), from the declared fields."""
    from neurosim.config import reference_markdown

    return reference_markdown()


def report_schema() -> str:
    """The report's layout (json_report's docstring) and the keys every report must hold."""
    from neurosim.report import json_report

    doc = json_report.__doc__ or ""
    layout = doc.split("::", 1)[1].split("\n\n", 2)[1] if "::" in doc else ""
    required = "\n".join(f"- `{key}`" for key in json_report.REQUIRED_KEYS)
    return (f"Schema identifier: `{json_report.SCHEMA}`.\n\n```\n{textwrap.dedent(layout).strip()}\n```\n\n"
            f"Keys every report holds (`neurosim.report.json_report.REQUIRED_KEYS`):\n\n{required}")


def presets() -> str:
    """Each chip preset: its description and source, then every key with its value and cited source."""
    return "\n\n".join(_toml_section(path) for path in sorted((REPO / "hardware_models").glob("*.toml")))


def baselines() -> str:
    """Each digital baseline file, the same way as the presets."""
    return "\n\n".join(_toml_section(path)
                       for path in sorted((REPO / "hardware_models" / "baselines").glob("*.toml")))


def energy_validation() -> str:
    """The tables of ``python bench/energy_validation.py --markdown`` (run now, on this checkout)."""
    done = subprocess.run([sys.executable, str(REPO / "bench" / "energy_validation.py"), "--markdown"],
                          cwd=REPO, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    if done.returncode != 0:
        raise RuntimeError(f"bench/energy_validation.py --markdown failed: {done.stderr[-2000:]}")
    return done.stdout.strip()


def study_list() -> str:
    """A bullet per study JSON of bench/studies/, linking its generated page."""
    return "\n".join(f"- [`{path.stem}`]({path.stem}.md): {_study_title(json.loads(path.read_text()))}"
                     for path in study_files())


GENERATORS = {"api": api, "cli": cli, "config": config, "report-schema": report_schema,
              "presets": presets, "baselines": baselines, "energy-validation": energy_validation,
              "study-list": study_list}


@cache
def generated(name: str) -> str:
    """The block ``name`` (built once per build process)."""
    if name not in marker_names():
        raise KeyError(f"docs: no generated block {name!r}; one of {', '.join(sorted(marker_names()))}")
    if name.startswith("cli-"):  # one command's block, beside the prose written about it
        from neurosim.cli import reference_markdown

        return reference_markdown(name.removeprefix("cli-"))
    return GENERATORS[name]()


def cli_commands() -> list[str]:
    """The CLI's commands (``run``, ``sweep``, …), from the argparse parser."""
    from neurosim.cli import build_parser

    return list(next(a for a in build_parser()._actions if a.dest == "command").choices)


def marker_names() -> set[str]:
    """Every NAME a ``<!-- generate: NAME -->`` marker may give: the generators, and ``cli-COMMAND``."""
    return set(GENERATORS) | {f"cli-{command}" for command in cli_commands()}


def expand(markdown: str) -> str:
    """``markdown`` with every ``<!-- generate: NAME -->`` marker replaced by its block."""
    return MARKER.sub(lambda m: generated(m.group(1)), markdown)


def _toml_section(path: Path) -> str:
    """A preset file as a heading, its description and source, and a table key | value | source."""
    data = tomllib.loads(path.read_text())
    head = data.get("chip") or data.get("baseline") or {}
    title = f"### `{path.stem}`\n\n{head.get('description') or head.get('name', '')}\n\n"
    if head.get("source"):
        title += f"Source: {head['source']}\n\n"
    rows, section = [], ""
    for line in path.read_text().splitlines():
        header = re.match(r"^\[([\w.-]+)\]", line)
        if header:
            section = header.group(1)
            continue
        entry = re.match(r"^([\w-]+)\s*=\s*(.*?)\s*(?:#\s*(.*))?$", line)
        if entry and section:
            key, value, note = entry.groups()
            rows.append(f"| `{section}.{key}` | `{_cell(value)}` | {_cell(note or '')} |")
    return title + "| key | value | source / note |\n|---|---|---|\n" + "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def card_pages() -> dict[str, str]:
    """The dataset cards as site pages: ``datasets/<file>.md`` -> its text."""
    return {f"datasets/{path.name}": path.read_text() for path in sorted(CARDS.glob("*.md"))}


def study_files() -> list[Path]:
    """The committed study results, ``bench/studies/*.json``."""
    return sorted(STUDIES.glob("*.json"))


def study_script(path: Path) -> Path | None:
    """The script of study JSON ``path``: the one its recorded command names, else ``<stem>.py`` beside it,
    else ``<study>.py`` for the study the JSON names (``prediction_v2_continued.json`` -> ``prediction_v2.py``),
    else ``<stem>`` without a trailing ``_v<digits>`` (``ir_drop_v2.json`` -> ``ir_drop.py``); None if none."""
    data = json.loads(path.read_text())
    commands = data.get("commands", data.get("command")) or []
    listed = commands.values() if isinstance(commands, dict) else [commands]
    named = [REPO / found for command in listed for found in SCRIPT.findall(str(command))]
    unversioned = path.with_name(re.sub(r"_v\d+$", "", path.stem) + ".py")
    study = [path.with_name(f"{data['study']}.py")] if isinstance(data.get("study"), str) else []
    return next((p for p in (*named, path.with_suffix(".py"), *study, unversioned) if p.is_file()), None)


@cache
def load_script(script: Path):
    """``script`` imported as a module, with the checkout and its own folder on ``sys.path`` (as when it runs)."""
    for folder in (str(REPO), str(script.parent)):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(f"neurosim_docs_study_{script.stem}", script)
    assert spec is not None and spec.loader is not None, script
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def study_figures(path: Path, text: str | None = None) -> dict:
    """``{key: matplotlib Figure}`` that study JSON ``path``'s script draws from it (from ``text``, the JSON
    as read, if given); {} if it draws none."""
    script = study_script(path)
    draw = getattr(load_script(script), "figures", None) if script else None
    return draw(json.loads(path.read_text() if text is None else text)) if draw else {}


def figure_uri(path: Path, key: str) -> str:
    """Where figure ``key`` of study JSON ``path`` lies in the built site."""
    return f"studies/figures/{path.stem}-{key}.svg"


def study_svgs(path: Path) -> dict[str, bytes]:
    """``{site path: SVG bytes}`` of every figure of study JSON ``path``; the same JSON gives the same bytes
    (a fixed hash salt for the SVG's ids, no date in its metadata). Drawn once per JSON text, so a
    ``mkdocs serve`` rebuild after the JSON changed draws them again."""
    return _svgs(path, path.read_text())


@cache
def _svgs(path: Path, text: str) -> dict[str, bytes]:
    import matplotlib

    svgs = {}
    with matplotlib.rc_context({"svg.hashsalt": "neurosim-docs", "svg.fonttype": "path"}):
        for key, fig in study_figures(path, text).items():
            buffer = io.BytesIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None})
            svgs[figure_uri(path, key)] = buffer.getvalue()
    return svgs


def study_page(path: Path) -> str:
    """The page of one study JSON: what ran (commands, commit, date, machine), its protocol, its results.

    Every value shown is read from the JSON (or the protocol file it names); nothing is typed in."""
    data = json.loads(path.read_text())
    rows = [("result file", f"`bench/studies/{path.name}`")]
    for key, label in (("commit", "commit"), ("started", "started"), ("created", "created"), ("date", "date")):
        if key in data:
            rows.append((label, f"`{data[key]}`"))
    if isinstance(data.get("machine"), dict):
        rows.append(("machine", ", ".join(f"{k} {v}" for k, v in data["machine"].items())))
    if "wall_s" in data:
        rows.append(("wall time (s)", _cell(json.dumps(data["wall_s"]))))
    text = [f"# Study: `{path.stem}`", "", _study_title(data), "", "| | |", "|---|---|",
            *(f"| {k} | {_cell(str(v))} |" for k, v in rows), ""]
    commands = data.get("commands", data.get("command"))
    if commands:
        listed = commands.values() if isinstance(commands, dict) else [commands]
        text += ["## Command", "", "```bash", *listed, "```", ""]
    svgs = study_svgs(path)
    if svgs:
        script = study_script(path)
        assert script is not None
        text += ["## Figures", "", f"Drawn at build time by `figures()` of `{script.relative_to(REPO)}` from the "
                 "committed JSON below.", ""]
        text += [f"![{uri.rsplit('/', 1)[1]}]({uri.removeprefix('studies/')})" + "{ loading=lazy }\n"
                 for uri in svgs]
    protocol = REPO / str(data.get("protocol", ""))
    if data.get("protocol") and protocol.is_file():
        fence = "toml" if protocol.suffix == ".toml" else "text"
        text += [f"## Protocol (`{data['protocol']}`, committed before the run)", "", f"```{fence}",
                 protocol.read_text().rstrip(), "```", ""]
    text += ["## Results", "", "The study's JSON as committed:", "", '??? note "bench/studies/' + path.name + '"',
             "    ```json", *("    " + line for line in json.dumps(data, indent=1).splitlines()), "    ```", ""]
    return "\n".join(text)


def _study_title(data: dict) -> str:
    return f"Protocol: `{data['protocol']}`." if data.get("protocol") else "No protocol file recorded in the JSON."


# mkdocs hook events ---------------------------------------------------------------------------------

def on_files(files, config):
    """Add the dataset cards (read from datasets/) as pages of the site."""
    from mkdocs.structure.files import File

    for uri, text in card_pages().items():
        files.append(File.generated(config, uri, content=text))
    for path in study_files():
        files.append(File.generated(config, f"studies/{path.stem}.md", content=study_page(path)))
        for uri, svg in study_svgs(path).items():
            files.append(File.generated(config, uri, content=svg))
    return files


def on_page_markdown(markdown, page, config, files):
    return expand(markdown)
