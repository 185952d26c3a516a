"""The command line on malformed FSDD-shaped folders (issue 27), as tests/test_cli_fuzz.py does for N-MNIST.

A few good recordings in FSDD's layout plus one spoiled entry (drawn by hypothesis: bytes that are not a
WAV, an empty or cut file, one byte changed in the header, a rate other than 8 kHz, several channels,
silence, no audio sample, a name outside the layout), or no folder at all: ``neurosim run --dataset fsdd``
must exit 1 with one stderr line naming the spoiled file (or the missing folder), write nothing into the
data folder and leave no report.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import strategies as st
from scipy.io import wavfile
from test_cli_fuzz import EXAMPLES, Case, check_refused, fuzz, run_fast

RATE = 8000


def wav(wave: np.ndarray, rate: int = RATE) -> bytes:
    buf = io.BytesIO()
    wavfile.write(buf, rate, np.round(np.asarray(wave) * 32767).astype(np.int16))
    return buf.getvalue()


def tone(digit: int, seconds: float = 0.08) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return 0.3 * np.sin(np.pi * t / seconds) ** 2 * np.sin(2 * np.pi * (300 + 80 * digit) * t)


@st.composite
def spoiled(draw) -> tuple[str, bytes]:
    """One bad entry of ``recordings/``: its name and bytes."""
    good = wav(tone(draw(st.integers(0, 9))))
    kind = draw(st.sampled_from(["garbage", "empty", "cut", "header", "rate", "stereo", "silent", "no_audio",
                                 "name"]))
    name = f"{draw(st.integers(0, 9))}_zed_{draw(st.integers(0, 49))}.wav"
    if kind == "garbage":
        data = draw(st.binary(min_size=1, max_size=64).filter(lambda b: not b.startswith(b"RIFF")))
    elif kind == "empty":
        data = b""
    elif kind == "cut":
        data = good[:draw(st.integers(1, 43))]     # inside the 44-byte header
    elif kind == "header":
        at = draw(st.sampled_from([0, 1, 8, 9, 12, 13, 36, 37]))  # inside RIFF/WAVE/fmt /data tags
        data = good[:at] + bytes([good[at] ^ 0xFF]) + good[at + 1:]
    elif kind == "rate":
        data = wav(tone(1), draw(st.sampled_from([16000, 44100, 11025, 1])))
    elif kind == "stereo":
        buf = io.BytesIO()
        wavfile.write(buf, RATE, (np.stack([tone(2)] * 2, axis=1) * 32767).astype(np.int16))
        data = buf.getvalue()
    elif kind == "silent":
        data = wav(np.zeros(draw(st.integers(1, 800))))
    elif kind == "no_audio":
        data = wav(np.zeros(0))
    else:
        name = draw(st.sampled_from(["zero_zed_1.wav", "1_zed.wav", "1_zed_1.WAV", "notes.txt", "1-zed-1.wav",
                                     "1_zed_x.wav"]))
        data = good
    return name, data


@st.composite
def fsdd_folder(draw) -> dict:
    return {"good": draw(st.lists(st.tuples(st.integers(0, 9), st.sampled_from(["ann", "bob"]), st.integers(0, 49)),
                                  min_size=1, max_size=4, unique=True)),
            "bad": draw(spoiled()), "no_folder": draw(st.sampled_from([False] * 9 + [True]))}


def fsdd_case(spec: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, out_dir = Path(tmp) / "data", Path(tmp) / "out"
        where = data_dir / "fsdd" / "recordings"
        data_dir.mkdir()
        if spec["no_folder"]:
            names = [str(where)]
        else:
            where.mkdir(parents=True)
            for digit, speaker, index in spec["good"]:
                (where / f"{digit}_{speaker}_{index}.wav").write_bytes(wav(tone(digit)))
            name, data = spec["bad"]
            (where / name).write_bytes(data)
            names = [str(where / name)]
        case = Case(["run", "--dataset", "fsdd", "--data-dir", str(data_dir), "--out", str(out_dir), *run_fast()],
                    names, label=f"FSDD {'no folder' if spec['no_folder'] else spec['bad'][0]}")
        check_refused(case, data_dir, out_dir)


@pytest.mark.parametrize("scale", EXAMPLES)
def test_malformed_fsdd_folder(scale):
    fuzz(fsdd_case, 25, scale, spec=fsdd_folder())
