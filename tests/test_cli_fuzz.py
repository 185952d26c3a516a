"""Property-based fuzzing of the command line (issue 16).

Malformed data folders, chip files, config files and ``--set`` values are generated and fed to
``neurosim.cli.main`` in-process. Every generated case must end the way DESIGN.md promises:

* exit code 1 (an input error),
* stderr is exactly one line ``neurosim: error: ...`` naming the offending file (its path) or
  key (``section.key``), stdout is empty,
* no ``Traceback`` and no ``internal error`` anywhere,
* nothing written into the data folder (file list, sizes and mtimes unchanged),
* no report, partial or whole, in ``--out``.

Each test runs a few dozen examples by default (the file takes well under a minute); its
``slow`` twin (``pytest -m slow``) runs twenty times as many. One test without hypothesis runs
a case of each kind through a real ``python -m neurosim`` process, where anything written to the
process's own stderr (logging, warnings, C libraries) would show.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field, fields
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import neurosim.config as nsconfig
from neurosim.cli import main
from neurosim.config import CHIP_SECTIONS, Config, all_section_paths, field_choices, presets_dir

#: (default, slow) example counts: the slow twin of every test is marked ``slow``.
EXAMPLES = [pytest.param(1, id="default"), pytest.param(20, id="slow", marks=pytest.mark.slow)]


def fuzz(test, base: int, scale: int, **strategies) -> None:
    """Run ``test(**drawn)`` on ``base * scale`` generated examples."""
    settings(max_examples=base * scale, deadline=None, database=None,
             suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])(
        given(**strategies)(test))()


# --------------------------------------------------------------------------- the property

@dataclass
class Case:
    """One generated malformed input: the argv tail and what the error line must name."""

    argv: list[str]
    names: list[str]  # the error line must contain at least one of these
    forbidden: list[str] = field(default_factory=list)  # and none of these
    label: str = ""


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every path under ``folder`` with its kind, size and mtime (links not followed)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            s = p.lstat()
            found[str(p.relative_to(folder))] = (s.st_mode, s.st_size, s.st_mtime_ns)
    return found


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``main(argv)`` in-process: exit code, stdout, stderr (argparse's exit caught)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as exc:  # argparse
            rc = exc.code if isinstance(exc.code, int) else 1
    return rc, out.getvalue(), err.getvalue()


def check_refused(case: Case, watched: Path, out_dir: Path | None = None) -> None:
    """Run ``case`` and check that it fails cleanly, naming its culprit, writing nothing."""
    before = snapshot(watched)
    rc, out, err = run_cli(case.argv)
    context = f"{case.label}: neurosim {' '.join(case.argv)}\nstdout: {out!r}\nstderr: {err!r}"
    assert "Traceback" not in out + err, context
    assert "internal error" not in out + err, context
    assert rc == 1, context
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("neurosim: error:"), context
    assert out == "", context
    assert any(name in lines[0] for name in case.names), f"names none of {case.names}; {context}"
    for word in case.forbidden:
        assert word not in lines[0], f"says {word!r}; {context}"
    assert snapshot(watched) == before, f"files changed under {watched}; {context}"
    if out_dir is not None and out_dir.exists():
        left = [str(p) for p in out_dir.rglob("*") if p.is_file() or p.is_symlink()]
        assert not left, f"left in --out: {left}; {context}"


# --------------------------------------------------------------------------- 1. N-MNIST folders

SENSOR = 34
FAST_KEYS = {"run.samples": "--samples=0", "network.neurons": "--set=network.neurons=10",
             "input.n_bins": "--set=input.n_bins=5"}


def run_fast(keep: list[str] = ()) -> list[str]:
    """Options of a small, quick ``run``, leaving alone the keys ``keep`` (a value under test
    there must not be overridden)."""
    return ["--engine", "cpu", "--quiet", *(opt for key, opt in FAST_KEYS.items() if key not in keep)]


RUN_FAST = run_fast()


def encode(events: list[tuple[int, int, int, int]]) -> bytes:
    """N-MNIST 40-bit events: x, y, then polarity bit + 23-bit timestamp (µs), big-endian."""
    return b"".join(bytes([x, y, (p << 7) | (t >> 16), (t >> 8) & 255, t & 255]) for x, y, t, p in events)


#: N-MNIST's y value of a timestamp-overflow marker: not an event; every later timestamp gains 2**13 µs
#: (the format as tonic.io.read_mnist_file reads it).
OVERFLOW_Y = 240


def valid_nmnist(data: bytes) -> bool:
    """What the reader accepts: whole events, at least one event once the overflow markers are taken
    out, inside 34x34, time non-decreasing, and not degenerate (several events all at one timestamp)."""
    if not data or len(data) % 5:
        return False
    ev, ts, offset = [], [], 0
    for i in range(0, len(data), 5):
        e = data[i:i + 5]
        if e[1] == OVERFLOW_Y:
            offset += 2**13
            continue
        ev.append(e)
        ts.append((((e[2] & 0x7F) << 16) | (e[3] << 8) | e[4]) + offset)
    return (bool(ev) and all(e[0] < SENSOR and e[1] < SENSOR for e in ev)
            and all(a <= b for a, b in zip(ts, ts[1:])) and (len(ts) == 1 or ts[-1] > ts[0]))


timestamp = st.integers(0, 2**23 - 1)
inside = st.tuples(st.integers(0, SENSOR - 1), st.integers(0, SENSOR - 1), timestamp, st.integers(0, 1))
valid_events = (st.lists(inside, min_size=1, max_size=12)
                .filter(lambda evs: len(evs) == 1 or len({e[2] for e in evs}) > 1)   # span > 0
                .map(lambda evs: sorted(evs, key=lambda e: e[2])))
valid_sample = valid_events.map(encode)


@st.composite
def corrupt_sample(draw) -> tuple[str, bytes | None]:
    """(kind, bytes) of one sample the reader must refuse; bytes None for the non-file kinds."""
    kind = draw(st.sampled_from(["truncated", "outside", "decreasing", "empty", "random", "degenerate",
                                 "dir_named_bin", "dangling_link"]))
    if kind == "truncated":
        data = encode(draw(valid_events))
        data = data[: len(data) - draw(st.integers(1, 4))] + draw(st.binary(max_size=3))
        data = data if len(data) % 5 else data + b"\0"
    elif kind == "outside":
        evs = draw(valid_events)
        # y = 240 would make an overflow marker, which the reader rightly takes out, not an outside event
        not_overflow = st.integers(0, 255).filter(lambda v: v != OVERFLOW_Y)
        bad = (draw(st.integers(SENSOR, 255).filter(lambda v: v != OVERFLOW_Y)), draw(not_overflow))
        x, y = bad if draw(st.booleans()) else bad[::-1]
        evs.insert(draw(st.integers(0, len(evs))), (x, y, evs[-1][2], 0))
        data = encode(sorted(evs, key=lambda e: e[2]))
    elif kind == "decreasing":
        evs = draw(st.lists(inside, min_size=2, max_size=12, unique_by=lambda e: e[2]))
        evs.sort(key=lambda e: e[2])
        k = draw(st.integers(1, len(evs) - 1))
        evs[k - 1], evs[k] = evs[k], evs[k - 1]
        data = encode(evs)
    elif kind == "empty":
        data = b""
    elif kind == "degenerate":  # several events, one timestamp (e.g. a zero-filled file)
        t = draw(timestamp)
        data = encode([(x, y, t, p) for x, y, _, p in draw(st.lists(inside, min_size=2, max_size=12))])
    elif kind == "random":
        data = draw(st.binary(max_size=64).filter(lambda b: not valid_nmnist(b)))
    else:
        data = None
    return kind, data


WRONG_FOLDERS = ["train/3", "TRAIN/1", "Train/10", "Train/ab", "Train/-1", "Tests/2", "Train/3/sub",
                 "Test/4/deeper/5", "Train", "Test", ".", "7"]
NOT_BIN = ["x.txt", ".DS_Store", "a.bin.bak", "b.BIN", "c.bin~", "readme", "d.bin.gz"]


def distractor() -> st.SearchStrategy[tuple[str, bytes]]:
    """(path, bytes) of a file that is no sample: a ``.bin`` in a wrong folder, not a ``.bin``,
    or a plain file where a folder belongs."""
    folders = st.sampled_from(WRONG_FOLDERS)
    return st.one_of(
        st.tuples(st.builds(lambda f, n: f"{f}/{n}", folders, st.sampled_from(NOT_BIN)), st.binary(max_size=20)),
        st.tuples(folders.map(lambda f: f"{f}/00001.bin"), valid_sample),
        st.tuples(st.sampled_from(["Train", "Test", "Train/5", "Test/0"]), st.binary(max_size=10)),
    )


@st.composite
def nmnist_folder(draw) -> dict:
    """A data root holding a malformed N-MNIST copy, and what the error must name.

    kinds: ``corrupt`` (valid samples beside 1-2 corrupt ones; the error names a corrupt
    file), ``layout`` (only misplaced or misnamed files: the error names the folder),
    ``bad_zip`` (a ``Train.zip`` that is not a zip: the error names it).
    """
    layout = draw(st.sampled_from(["corrupt", "corrupt", "corrupt", "layout", "bad_zip", "no_folder"]))
    if layout == "no_folder":  # --data-dir missing, or a file
        return {"layout": layout, "root": draw(st.sampled_from(["missing", "file"])), "files": {},
                "specials": {}, "extras": {}, "culprits": []}
    prefix = draw(st.sampled_from(["nmnist", "NMNIST", "."]))  # the three places folder() looks
    files, culprits, specials, extras = {}, [], {}, {}
    for rel, data in draw(st.lists(distractor(), max_size=4 if layout == "corrupt" else 5,
                                   min_size=0 if layout != "layout" else 1)):
        extras[f"nmnist/{rel}" if prefix == "." and layout == "layout" else f"{prefix}/{rel}"] = data
    where = st.tuples(st.sampled_from(["Train", "Test"]), st.integers(0, 9), st.integers(0, 99999))
    if layout == "corrupt":
        for split, digit, k in draw(st.lists(where, max_size=4, unique_by=lambda w: w[2])):
            files[f"{prefix}/{split}/{digit}/{k:05d}.bin"] = draw(valid_sample)
        for split, digit, k in draw(st.lists(where, min_size=1, max_size=2, unique_by=lambda w: w[2])):
            rel = f"{prefix}/{split}/{digit}/c{k:05d}.bin"
            kind, data = draw(corrupt_sample())
            files.pop(rel, None)
            culprits.append(rel)
            if data is None:
                specials[rel] = kind
            else:
                files[rel] = data
    elif layout == "bad_zip":
        rel = f"{prefix}/{draw(st.sampled_from(['Train.zip', 'train.zip', 'TRAIN.ZIP']))}"
        if draw(st.booleans()):  # not a zip at all
            files[rel] = draw(st.binary(max_size=64))
        else:  # a zip with a corrupt member
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as zf:
                kind, data = draw(corrupt_sample())
                zf.writestr(f"Train/{draw(st.integers(0, 9))}/00001.bin", data or b"")
            files[rel] = buf.getvalue()
        culprits.append(rel)
        extras = {k: v for k, v in extras.items() if not k.startswith(f"{prefix}/Train/")}
    return {"layout": layout, "files": files, "specials": specials, "extras": extras, "culprits": culprits}


def build_folder(root: Path, spec: dict) -> None:
    """Samples first, then the special culprits, then the distractors (one that collides with
    a file or folder already there is left out)."""
    for rel, data in spec["files"].items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    for rel, kind in spec["specials"].items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "dir_named_bin":
            (path / "inside").mkdir(parents=True)
        else:
            path.symlink_to(root / "missing-target.bin")
    for rel, data in spec["extras"].items():
        path = root / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                path.write_bytes(data)
        except (FileExistsError, NotADirectoryError):
            continue


def nmnist_case(spec: dict) -> None:
    event(f"N-MNIST {spec['layout']} {sorted(set(spec['specials'].values()))}")
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, out_dir = Path(tmp) / "data", Path(tmp) / "out"
        if spec["layout"] != "no_folder":
            data_dir.mkdir()
            build_folder(data_dir, spec)
        elif spec["root"] == "file":
            data_dir.write_bytes(b"not a folder")
        culprits = [str(data_dir / rel) for rel in spec["culprits"]]
        names = culprits or [str(data_dir)]
        case = Case(["run", "--dataset", "nmnist", "--data-dir", str(data_dir), "--out", str(out_dir),
                     *RUN_FAST], names, label=f"N-MNIST {spec['layout']} {spec['specials'] or ''}")
        check_refused(case, Path(tmp) if spec["layout"] == "no_folder" else data_dir, out_dir)


def test_the_validity_model_reads_overflow_markers_as_the_reader_does():
    """The fuzz's model of a valid file agrees with the reader where the format has its one special
    event: y = 240 marks a timestamp overflow (found by this fuzz: a zip member with an "outside" event
    at y = 240 was a valid one-event sample, not a corrupt one)."""
    from neurosim.data.datasets.nmnist import decode
    marker = encode([(0, OVERFLOW_Y, 0, 0)])
    cases = {marker + encode([(0, 0, 0, 0)]): True,                      # one event after the marker
             marker: False,                                               # nothing but a marker
             encode([(3, 3, 100, 0)]) + marker + encode([(3, 3, 50, 0)]): True,   # 50 + 8192 µs > 100
             encode([(3, 3, 9000, 0)]) + marker + encode([(3, 3, 50, 0)]): False,  # 50 + 8192 < 9000
             encode([(OVERFLOW_Y, 3, 0, 0)]): False}                      # x = 240 is outside
    for data, valid in cases.items():
        assert valid_nmnist(data) is valid, data
        try:
            decode(data, "sample")
        except Exception:
            assert not valid, data
        else:
            assert valid, data


@pytest.mark.parametrize("scale", EXAMPLES)
def test_malformed_nmnist_folder(scale):
    fuzz(nmnist_case, 40, scale, spec=nmnist_folder())


# --------------------------------------------------------------------------- TOML helpers

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(key: str) -> str:
    return key if BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if value == value and abs(value) != float("inf") else \
            {"nan": "nan", "inf": "inf", "-inf": "-inf"}[repr(value)]
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def dump_toml(data: dict) -> str:
    """``{section: {key: value, sub: {...}}}`` as TOML text (nested dicts become ``[a.b]`` tables;
    a top-level value that is no dict is written before the tables)."""
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]

    def table(path: list[str], values: dict) -> None:
        lines.append(f"[{'.'.join(toml_key(p) for p in path)}]")
        lines.extend(f"{toml_key(k)} = {toml_value(v)}" for k, v in values.items() if not isinstance(v, dict))
        for k, v in values.items():
            if isinstance(v, dict):
                table([*path, k], v)

    for k, v in data.items():
        if isinstance(v, dict):
            table([k], v)
    return "\n".join(lines) + "\n"


nsconfig._discover_sections()
ALL_SECTIONS = all_section_paths()
TOP_LEVEL = sorted({p.split(".")[0] for p in ALL_SECTIONS})


def ftype(f) -> str:
    return f.type if isinstance(f.type, str) else f.type.__name__


def section_fields(paths) -> list[tuple[str, object]]:
    return [(p, f) for p in paths for f in fields(Config().section(p))]


def put(data: dict, path: str, key: str, value) -> dict:
    """``data`` with ``value`` at section ``path`` (dotted), key ``key``."""
    node = data
    for part in path.split("."):
        node = node.setdefault(part, {})
    node[key] = value
    return data


printable = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8)
non_integer_float = st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not float(x).is_integer())
scalar_list = st.lists(st.integers(-3, 3), max_size=3)
inline_table = st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 3), min_size=1)
WRONG_TYPE = {
    "float": st.one_of(printable, st.booleans(), scalar_list, inline_table),
    "int": st.one_of(printable, st.booleans(), non_integer_float, scalar_list, inline_table),
    "bool": st.one_of(printable, st.integers(), st.floats(), scalar_list, inline_table),
    "str": st.one_of(st.integers(), st.floats(), st.booleans(), scalar_list, inline_table),
}


@st.composite
def out_of_range(draw, f):
    """A value of the right type outside field ``f``'s range or choices (None if it has none)."""
    choices = field_choices(f)
    lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
    if choices:
        return draw(printable.filter(lambda s: s not in choices))
    if lo is None:
        return None
    if ftype(f) == "int":
        return draw(st.one_of(st.integers(max_value=int(lo) - 1), st.integers(min_value=int(hi) + 1)))
    below = st.floats(max_value=lo, exclude_max=True, allow_nan=False)
    above = st.floats(min_value=hi, exclude_min=True, allow_nan=False)
    return draw(st.one_of(below, above, st.just(float("nan"))))


def ranged(paths) -> list[tuple[str, object]]:
    return [(p, f) for p, f in section_fields(paths) if field_choices(f) or f.metadata.get("lo") is not None]


SYNTAX_SNIPPETS = ["[device", "x = ", "= 1", "[[", "a = 1\na = 2", "[run]\n[run]", "k = 'unterminated",
                   "k = 1 2", "k = [1, 2", "k = {a = 1", "k = 1979-13-45", "k = \"\\q\"", "k = 0x",
                   "k = 1_", "k = .5", "[a]]", "k = \"\"\"x", "k = nul\0l", "k=1 # ok\nk2 =", "[run\nx=1]"]


def invalid_toml(text: str) -> bool:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return True
    return False


BAD_UTF8 = [b"\xff", b"\xfe\xff", b"\xc3\x28", b"\x80", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xc0\xaf"]


@st.composite
def malformed_toml(draw, kind: str, base: dict, own_paths: list[str], chip: bool) -> dict:
    """A TOML file of ``kind``: ``{"content": bytes | None (a directory), "keys": [...], "forbidden": [...]}``.

    ``keys`` are the ``section.key`` names an error may give instead of the file's path.
    """
    data = json.loads(json.dumps(base))  # a copy
    keys: list[str] = []
    forbidden: list[str] = []
    content: bytes | None
    if kind == "syntax":
        snippet = draw(st.one_of(st.sampled_from(SYNTAX_SNIPPETS), printable.filter(invalid_toml)))
        text = draw(st.sampled_from([snippet, dump_toml(data) + snippet, snippet + "\n" + dump_toml(data)]))
        content = text.encode()
        if not invalid_toml(text):
            content += b"\n[["
    elif kind == "encoding":
        raw = draw(st.sampled_from([dump_toml(data), "# comment\n" + dump_toml(data),
                                    dump_toml(data).replace("\n", "\n# é\n", 1)])).encode()
        bad = draw(st.sampled_from(BAD_UTF8))
        at = draw(st.integers(0, len(raw)))
        content = draw(st.sampled_from([raw[:at] + bad + raw[at:],
                                        raw.decode().encode("utf-16"), raw.decode().encode("latin-1") + bad]))
    elif kind == "unknown_section":
        taken = set(CHIP_SECTIONS) if chip else set(TOP_LEVEL)
        name = draw(st.one_of(st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,10}", fullmatch=True), printable)
                    .filter(lambda s: s not in taken))
        if chip and draw(st.booleans()):
            name = draw(st.sampled_from([p for p in TOP_LEVEL if p not in CHIP_SECTIONS]))
        data[name] = {"x": 1}
        content = dump_toml(data).encode()
    elif kind == "unknown_key":
        path = draw(st.sampled_from(own_paths))
        known = {f.name for f in fields(Config().section(path))}
        known |= {p.rpartition(".")[2] for p in ALL_SECTIONS if p.startswith(path + ".")}
        key = draw(st.one_of(st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,12}", fullmatch=True),
                             printable.filter(bool)).filter(lambda k: k not in known))
        put(data, path, key, draw(st.one_of(st.integers(), printable, st.booleans())))
        keys.append(f"{path}.{key}")
        content = dump_toml(data).encode()
    elif kind == "wrong_type":
        path, f = draw(st.sampled_from(section_fields(own_paths)))
        put(data, path, f.name, draw(WRONG_TYPE[ftype(f)]))
        keys.append(f"{path}.{f.name}")
        content = dump_toml(data).encode()
    elif kind == "out_of_range":
        path, f = draw(st.sampled_from(ranged(own_paths)))
        put(data, path, f.name, draw(out_of_range(f)))
        keys.append(f"{path}.{f.name}")
        content = dump_toml(data).encode()
    elif kind == "not_a_table":
        path = draw(st.sampled_from(own_paths))
        head, _, last = path.rpartition(".")
        value = draw(st.one_of(st.integers(), printable, st.booleans(), scalar_list))
        if head:
            data.setdefault(head, {})[last] = value
        else:
            data[last] = value
        text = dump_toml(data)
        if not head and draw(st.booleans()):  # an array of tables instead of a table
            data.pop(last)
            text = dump_toml(data) + f"[[{last}]]\nx = 1\n"
        content = text.encode()
    elif kind == "directory":
        content = None
        forbidden.append("no such")  # it exists: saying it does not misleads
    else:
        raise AssertionError(kind)
    return {"kind": kind, "content": content, "keys": keys, "forbidden": forbidden}


def write_case(tmp: Path, name: str, spec: dict) -> Path:
    path = tmp / "files" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if spec["content"] is None:
        (path / "inside.toml").mkdir(parents=True)
    else:
        path.write_bytes(spec["content"])
    return path


def toml_case(option: str, spec: dict, command: str) -> None:
    """``neurosim config`` (or ``chips show``, or ``run``) given the malformed file ``spec``."""
    event(f"{option} {spec['kind']} via {command}")
    with tempfile.TemporaryDirectory() as tmp:
        path = write_case(Path(tmp), "chip.toml" if option == "--chip" else "experiment.toml", spec)
        out_dir = Path(tmp) / "out"
        argv = {"config": ["config", option, str(path)],
                "chips show": ["chips", "show", str(path)],
                "run": ["run", option, str(path), "--out", str(out_dir), *run_fast(spec["keys"])]}[command]
        case = Case(argv, [str(path), *spec["keys"]], spec["forbidden"],
                    label=f"{option} {spec['kind']} {spec['content']!r:.300}")
        check_refused(case, path.parent, out_dir)


# --------------------------------------------------------------------------- 2. chip files

CHIP_BASE = tomllib.loads((presets_dir() / "rram-40nm-256kb.toml").read_text(encoding="utf-8"))
TOML_KINDS = ["syntax", "encoding", "unknown_section", "unknown_key", "wrong_type", "out_of_range",
              "not_a_table", "directory"]


@pytest.mark.parametrize("kind", TOML_KINDS)
@pytest.mark.parametrize("scale", EXAMPLES)
def test_malformed_chip_file(kind, scale):
    """``neurosim config --chip F`` (or ``chips show F``, ``run --chip F``): F malformed in one way
    (``unknown_section`` includes the experiment sections a chip file may not hold)."""
    fuzz(lambda spec, command: toml_case("--chip", spec, command), 10, scale,
         spec=malformed_toml(kind, CHIP_BASE, list(CHIP_SECTIONS), chip=True),
         command=st.sampled_from(["config", "config", "chips show", "run"]))


# --------------------------------------------------------------------------- 3. config files

EXPERIMENT_SECTIONS = [p for p in ALL_SECTIONS if p.split(".")[0] not in CHIP_SECTIONS]
CONFIG_BASE = {"network": {"neurons": 50, "lif": {"tau_m": 0.02}}, "input": {"n_bins": 20},
               "run": {"samples": 10, "seed": 3}}


@pytest.mark.parametrize("kind", TOML_KINDS)
@pytest.mark.parametrize("scale", EXAMPLES)
def test_malformed_config_file(kind, scale):
    """``neurosim config --config F`` (or ``run --config F``): F malformed in one way, in the experiment sections
    ([network], [network.lif], [input], [readout], [run], [reservoir], ...)."""
    fuzz(lambda spec, command: toml_case("--config", spec, command), 10, scale,
         spec=malformed_toml(kind, CONFIG_BASE, EXPERIMENT_SECTIONS, chip=False),
         command=st.sampled_from(["config", "config", "run"]))


# --------------------------------------------------------------------------- 4. --set values

key_text = st.from_regex(r"[A-Za-z0-9_ -]{0,10}", fullmatch=True)
VALID_SETS = ["network.neurons=10", "input.n_bins=5", "run.seed=3", "network.lif.tau_m=0.01",
              "device.read_noise_std=0.01"]


@st.composite
def bad_override(draw) -> tuple[str, str]:
    """(text of one malformed ``--set``, what its error must name)."""
    kind = draw(st.sampled_from(["unknown_section", "unknown_key", "wrong_type", "out_of_range",
                                 "empty_value", "no_equals", "no_dot", "deep_path"]))
    if kind == "unknown_section":
        section = draw(key_text.filter(lambda s: s.strip() not in TOP_LEVEL))
        key = f"{section}.{draw(key_text)}"
        value = draw(printable.filter(lambda v: v.strip()))
    elif kind == "unknown_key":
        path = draw(st.sampled_from(ALL_SECTIONS))
        known = {f.name for f in fields(Config().section(path))}
        known |= {p.rpartition(".")[2] for p in ALL_SECTIONS if p.startswith(path + ".")}
        key = f"{path}.{draw(key_text.filter(lambda k: k.strip() not in known))}"
        value = draw(st.sampled_from(["1", "0.5", "true", '"x"', "abc"]))
    elif kind in ("wrong_type", "out_of_range"):
        pool = section_fields(ALL_SECTIONS) if kind == "wrong_type" else ranged(ALL_SECTIONS)
        path, f = draw(st.sampled_from(pool))
        key = f"{path}.{f.name}"
        raw = draw(WRONG_TYPE[ftype(f)] if kind == "wrong_type" else out_of_range(f))
        value = toml_value(raw)
        if isinstance(raw, str) and draw(st.booleans()) and invalid_toml(f"v = {raw}") and raw.strip():
            value = raw  # a bare word: read as a plain string
    elif kind == "empty_value":
        path, f = draw(st.sampled_from(section_fields(ALL_SECTIONS)))
        key, value = f"{path}.{f.name}", draw(st.sampled_from(["", " ", "  \t"]))
    elif kind == "no_equals":
        text = draw(st.one_of(st.sampled_from([f"{p}.{f.name}" for p, f in section_fields(ALL_SECTIONS)]),
                              key_text.filter(bool)))
        return text, text.strip() or text
    elif kind == "no_dot":
        key, value = draw(key_text.filter(lambda s: "." not in s)), draw(st.sampled_from(["1", "x"]))
    else:  # deep_path: a dotted path longer than section.key (or section.sub.key)
        path, f = draw(st.sampled_from(section_fields(ALL_SECTIONS)))
        extra = draw(st.lists(st.from_regex(r"[a-z_]{1,6}", fullmatch=True), min_size=1, max_size=3))
        key, value = ".".join([path, f.name, *extra]), draw(st.sampled_from(["1", "0.5", "x", "true"]))
    text = f"{key}={value}"
    return text, key.strip() or text


@st.composite
def set_argv(draw) -> tuple[list[str], str]:
    """``--set`` options: valid ones around one malformed one; (argv, name the error must give)."""
    bad, name = draw(bad_override())
    # a later valid --set of the same key would repair an out-of-range value: none such
    others = [v for v in VALID_SETS if v.partition("=")[0] != bad.partition("=")[0].strip()]
    sets = draw(st.lists(st.sampled_from(others), max_size=3))
    sets.insert(draw(st.integers(0, len(sets))), bad)
    return [f"--set={s}" for s in sets], name


def set_case(drawn) -> None:
    argv, name = drawn
    event(f"--set {len(argv)} options")
    with tempfile.TemporaryDirectory() as tmp:
        check_refused(Case(["config", *argv], [name], label="--set"), Path(tmp))


@pytest.mark.parametrize("scale", EXAMPLES)
def test_malformed_set_values(scale):
    fuzz(set_case, 100, scale, drawn=set_argv())


# --------------------------------------------------------------------------- a real process

@pytest.mark.parametrize("kind", ["nmnist", "chip", "config", "set"])
def test_malformed_input_in_a_real_process(kind, tmp_path):
    """One malformed input of each kind through ``python -m neurosim``: one line, exit 1."""
    data_dir, out_dir = tmp_path / "data", tmp_path / "out"
    bad = data_dir / "nmnist" / "Train" / "3" / "00001.bin"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(encode([(1, 2, 30, 1), (40, 2, 40, 0)]))
    (tmp_path / "chip.toml").write_text("[device]\ng_min = 'small'\n")
    (tmp_path / "exp.toml").write_text("[network.lif]\ntau_m = -1.0\n")
    argv, name = {
        "nmnist": (["run", "--dataset", "nmnist", "--data-dir", str(data_dir), "--out", str(out_dir),
                    *RUN_FAST], str(bad)),
        "chip": (["config", "--chip", str(tmp_path / "chip.toml")], str(tmp_path / "chip.toml")),
        "config": (["run", "--config", str(tmp_path / "exp.toml"), "--out", str(out_dir), *RUN_FAST],
                   "network.lif.tau_m"),
        "set": (["config", "--set=reservoir.mc_bins=many"], "reservoir.mc_bins"),
    }[kind]
    before = snapshot(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "neurosim", *argv], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("neurosim: error:") and name in lines[0], proc.stderr
    assert snapshot(tmp_path) == before  # nothing written: not into the data, not into --out or the cwd


@pytest.mark.parametrize("option, name", [("--set", "--set '--'"), ("--chip", "--chip --"),
                                          ("--config", "--: ")])
def test_option_given_double_dash_as_its_value(option, name, tmp_path):
    """Found by the --set fuzzing: ``--set=--`` stored ``[]`` (CPython gh-109475, Python 3.11)
    and ended in an internal error; now ``--`` is a value like any other, refused by name."""
    check_refused(Case(["config", f"{option}=--"], [name], label=option), tmp_path)
