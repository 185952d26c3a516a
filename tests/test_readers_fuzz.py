"""Property-based tests: malformed files fed to every reader give a valid EventBatch or a
DataError, never another exception (IndexError, ValueError, OSError, KeyError, ...)."""

import io
import tempfile
import zipfile
from pathlib import Path

import h5py
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.io import wavfile

from neurosim.data.datasets import fsdd, nmnist, ntidigits
from neurosim.errors import DataError
from neurosim.events.batch import EventBatch

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_batch(batch: EventBatch, module) -> None:
    """What every batch a reader returns must satisfy."""
    contract = {nmnist: nmnist.NMNIST, ntidigits: ntidigits.NTIDIGITS, fsdd: fsdd.FSDD}[module]
    assert isinstance(batch, EventBatch) and batch.name == contract.name
    assert batch.sensor_size == contract.sensor_size and batch.modality == contract.modality
    assert (batch.counts() > 0).all()  # empty samples are corrupt
    w, h, _ = contract.sensor_size
    ev = batch.events
    assert ((ev["x"] >= 0) & (ev["x"] < w) & (ev["y"] >= 0) & (ev["y"] < h)).all()
    assert ((batch.labels >= 0) & (batch.labels < contract.n_classes)).all()
    t = ev["t"]
    same_sample = np.diff(batch.sample_ids()) == 0
    assert (np.diff(t)[same_sample] >= 0).all()  # time-ordered within each sample
    assert all(isinstance(s, str) and ": " in s for s in batch.skipped)


def load_all_ways(module, data_dir: Path) -> None:
    """Load strictly, skipping corrupt samples, and the labels alone: only DataError may escape."""
    for skip in (False, True):
        try:
            batch = module.load(data_dir, skip_corrupt=skip)
        except DataError:
            continue
        check_batch(batch, module)
    try:
        module.labels(data_dir)
    except DataError:
        pass


# --- N-MNIST ------------------------------------------------------------------------

event = st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 2**23 - 1), st.integers(0, 1))


@st.composite
def nmnist_bytes(draw) -> bytes:
    """Random bytes, or encoded events (any coordinates, any order) possibly cut short."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=120))
    events = draw(st.lists(event, max_size=20))
    data = b""
    for x, y, t, p in events:
        data += bytes([x, y, (p << 7) | (t >> 16), (t >> 8) & 255, t & 255])
    cut = draw(st.integers(0, 4))
    return data[: len(data) - cut] if cut and data else data


@FUZZ
@given(files=st.lists(st.tuples(st.sampled_from(["Train", "Test"]), st.integers(0, 9), nmnist_bytes()),
                      min_size=1, max_size=4))
def test_nmnist_folder_fuzz(files):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for k, (split, digit, data) in enumerate(files):
            path = root / "nmnist" / split / str(digit) / f"{k:05d}.bin"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        load_all_ways(nmnist, root)


@FUZZ
@given(files=st.lists(st.tuples(st.integers(0, 9), nmnist_bytes()), min_size=1, max_size=4),
       cut=st.one_of(st.none(), st.integers(0, 400)), garbage=st.one_of(st.none(), st.binary(max_size=64)))
def test_nmnist_zip_fuzz(files, cut, garbage):
    """Fuzzed members in a Train.zip; the archive itself possibly truncated or replaced by garbage."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "nmnist"
        root.mkdir()
        archive = root / "Train.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for k, (digit, data) in enumerate(files):
                zf.writestr(f"Train/{digit}/{k:05d}.bin", data)
        if garbage is not None:
            archive.write_bytes(garbage)
        elif cut is not None:
            archive.write_bytes(archive.read_bytes()[:cut])
        load_all_ways(nmnist, Path(tmp))


@FUZZ
@given(data=st.binary(max_size=300), flip=st.integers(0, 10_000), value=st.integers(0, 255))
def test_nmnist_zip_corrupted_bytes(data, flip, value):
    """One byte of a valid archive overwritten (CRC errors, broken headers, bad sizes)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "nmnist"
        root.mkdir()
        archive = root / "Test.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("Test/1/00001.bin", bytes([1, 1, 0, 0, 1]) * 3)
            zf.writestr("Test/2/00002.bin", data)
        raw = bytearray(archive.read_bytes())
        raw[flip % len(raw)] = value
        archive.write_bytes(bytes(raw))
        load_all_ways(nmnist, Path(tmp))


# --- N-TIDIGITS ---------------------------------------------------------------------

GROUPS = [f"{s}_{k}" for s in ("train", "test") for k in ("labels", "addresses", "timestamps")]
sample_id = st.builds(
    lambda prefix, label: f"{prefix}-{label}",
    st.sampled_from(["man-ae", "woman-cp", "x", ""]),
    st.one_of(st.sampled_from(list("oz123456789")), st.text(alphabet="oz123456789xA-/. ", max_size=3)),
)
numeric_dtype = st.sampled_from([np.uint8, np.uint16, np.int8, np.int64, np.float16, np.float32, np.float64])
value = st.one_of(
    st.integers(0, 63).map(float),  # a valid channel, or a valid time in s
    st.floats(0, 2, width=32),
    st.integers(-5, 70).map(float),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
)


@st.composite
def column(draw, length):
    """A per-sample dataset: usually 1-D numeric of the sample's length, sometimes not."""
    kind = draw(st.sampled_from(["ok"] * 6 + ["scalar", "2d", "string", "missing", "group"]))
    if kind in ("missing", "group"):
        return kind
    if kind == "string":
        return np.array([b"abc"] * max(length, 1))
    n = draw(st.sampled_from([length] * 4 + [0, length + 1]))
    data = np.array(draw(st.lists(value, min_size=n, max_size=n)), dtype=np.float64)
    if draw(st.booleans()):
        data = np.sort(data)
    with np.errstate(invalid="ignore", over="ignore"):
        data = data.astype(draw(numeric_dtype))
    if kind == "scalar":
        return data[0] if n else np.float64(0)
    if kind == "2d":
        return np.repeat(data[None], 2, axis=0)
    return data


@st.composite
def ntidigits_layout(draw):
    """The official layout, with groups left out, the wrong kind of object or bad samples."""
    full = draw(st.sampled_from([True] * 3 + [False]))
    layout = {"present": set(GROUPS) if full else draw(st.sets(st.sampled_from(GROUPS)))}
    for split in ("train", "test"):
        labels_kind = draw(st.sampled_from(["bytes"] * 5 + ["vlen", "int", "2d"]))
        samples = []
        for sid in draw(st.lists(sample_id, max_size=4)):
            n = draw(st.integers(0, 6))
            samples.append((sid, draw(column(n)), draw(column(n))))
        swap = draw(st.sampled_from([False] * 5 + [True]))  # a dataset where a group belongs
        layout[split] = (labels_kind, samples, swap)
    return layout


def write_layout(file: Path, layout) -> None:
    with h5py.File(file, "w") as f:
        for split in ("train", "test"):
            labels_kind, samples, swap = layout[split]
            ids = [sid for sid, _, _ in samples]
            name = f"{split}_labels"
            if name in layout["present"]:
                if labels_kind == "int":
                    f.create_dataset(name, data=np.arange(len(ids)))
                elif labels_kind == "2d":
                    f.create_dataset(name, data=np.array([[s.encode() for s in ids]] * 2, dtype="S16"))
                elif labels_kind == "vlen":
                    f.create_dataset(name, data=ids, dtype=h5py.string_dtype())
                else:
                    f.create_dataset(name, data=np.array([s.encode() for s in ids], dtype="S16"))
            for kind, pick in (("addresses", 1), ("timestamps", 2)):
                name = f"{split}_{kind}"
                if name not in layout["present"]:
                    continue
                if swap and kind == "addresses":
                    f.create_dataset(name, data=np.zeros(3))
                    continue
                group = f.create_group(name)
                for sample in samples:
                    sid, data = sample[0], sample[pick]
                    try:
                        if isinstance(data, str) and data == "group":
                            group.create_group(sid)
                        elif not isinstance(data, str):
                            group.create_dataset(sid, data=data)
                    except (ValueError, KeyError, TypeError, OSError):
                        pass  # h5py refuses some names ("", ".", duplicates): the file stays as is


@FUZZ
@given(layout=ntidigits_layout())
def test_ntidigits_layout_fuzz(layout):
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "n-tidigits.hdf5"
        write_layout(file, layout)
        load_all_ways(ntidigits, file)


@FUZZ
@given(data=st.binary(max_size=200), cut=st.integers(0, 4000))
def test_ntidigits_not_hdf5_or_truncated(data, cut):
    with tempfile.TemporaryDirectory() as tmp:
        garbage = Path(tmp) / "garbage.hdf5"
        garbage.write_bytes(data)
        load_all_ways(ntidigits, garbage)
        file = Path(tmp) / "n-tidigits.hdf5"
        with h5py.File(file, "w") as f:
            for split in ("train", "test"):
                f.create_dataset(f"{split}_labels", data=np.array([b"a-1", b"b-z"]))
                for kind, value in (("addresses", [1, 2, 3]), ("timestamps", [0.0, 0.1, 0.2])):
                    group = f.create_group(f"{split}_{kind}")
                    group.create_dataset("a-1", data=value)
                    group.create_dataset("b-z", data=value)
        file.write_bytes(file.read_bytes()[:cut])
        load_all_ways(ntidigits, file)


# --- FSDD ---------------------------------------------------------------------------

fsdd_name = st.one_of(
    st.builds(lambda d, s, i: f"{d}_{s}_{i}.wav", st.integers(0, 9), st.sampled_from(["jackson", "theo"]),
              st.integers(0, 60)),
    st.sampled_from(["zero_theo_1.wav", "1_theo.wav", "1_theo_1.WAV", "readme.txt", ".hidden", "1__2.wav"]),
)


@st.composite
def wav_bytes(draw) -> bytes:
    """Random bytes, or a WAV of any rate, sample type and channel count, possibly cut or with one byte changed."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=120))
    rate = draw(st.sampled_from([8000] * 4 + [16000, 1]))
    dtype = draw(st.sampled_from([np.int16] * 4 + [np.uint8, np.int32, np.float32, np.int64]))
    n, channels = draw(st.integers(0, 600)), draw(st.sampled_from([1] * 4 + [2]))
    values = draw(st.sampled_from(["tone", "zeros", "noise", "extreme"]))
    t = np.arange(n) / 8000
    wave = {"tone": 0.5 * np.sin(2 * np.pi * 700 * t), "zeros": np.zeros(n),
            "noise": np.random.default_rng(n).uniform(-1, 1, n), "extreme": np.where(t > 0.01, 1.0, -1.0)}[values]
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)  # full scale, kept inside the type's range in float64
        mid, half = (int(info.max) + int(info.min) + 1) / 2, 0.99 * (int(info.max) - int(info.min)) / 2
        data = np.round(mid + wave * half).astype(dtype)
    else:
        data = wave.astype(dtype)
    buf = io.BytesIO()
    wavfile.write(buf, rate, np.stack([data] * channels, axis=1) if channels > 1 else data)
    raw = bytearray(buf.getvalue())
    cut, flip = draw(st.integers(0, 60)), draw(st.one_of(st.none(), st.tuples(st.integers(0, 60), st.integers(0, 255))))
    if flip is not None:
        raw[flip[0] % len(raw)] = flip[1]
    return bytes(raw[: len(raw) - cut] if draw(st.booleans()) else raw)


@FUZZ
@given(files=st.lists(st.tuples(fsdd_name, wav_bytes()), min_size=0, max_size=4))
def test_fsdd_folder_fuzz(files):
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp) / "fsdd" / "recordings"
        where.mkdir(parents=True)
        for name, data in files:
            (where / name).write_bytes(data)
        load_all_ways(fsdd, Path(tmp))
