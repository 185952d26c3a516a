"""A tiny, deterministic ctypes wrapper around the eSpeak NG speech synthesiser.

The shared library and its voice data come from the ``espeakng-loader`` wheel
(``pip install espeakng-loader``), which exposes their paths
(``espeakng_loader.get_library_path()``, ``get_data_path()``). Only the classic
``speak_lib.h`` API is used: ``espeak_Initialize`` in ``AUDIO_OUTPUT_SYNCHRONOUS``
mode, a synth callback that collects the 16-bit mono samples, ``espeak_SetVoiceByName``,
``espeak_SetParameter`` (rate, pitch, range) and ``espeak_Synth``.

**Determinism.** eSpeak NG keeps synthesis state in C static variables that its API
cannot reset (the pitch-flutter phase, the automatic gain control, the echo buffer, the
waveform phase): synthesising the same word twice in one library instance gives two
different waveforms (even of different lengths). So every :func:`synthesize` call loads
a *fresh* instance of the library (``dlopen``), initialises it, synthesises, terminates
it and unloads it again (``dlclose``); the instance starts from the library's initial
state. eSpeak also seeds its own noise generator (used by voices with breath noise) from
the clock in ``espeak_Initialize``; every call reseeds it with ``RAND_SEED``
(``espeak_ng_SetRandSeed``). Together, the same arguments always give the same samples,
in any process, with the same library build. A call costs about 5 ms. If the library
is already loaded by other code in this process (which would keep it resident), a
private copy in a temporary folder is loaded instead; where the platform does not
unload libraries, a new copy for every call. A few voice variants (e.g. ``+Reed``,
``+caleb``) also draw from libc's process-wide ``rand()`` and are therefore not
reproducible; this module never reseeds libc.

**Threads.** All calls into the library hold one module-level lock. Nothing is loaded at
import time; the first call finds and checks the library.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
import threading
from pathlib import Path

import numpy as np

from neurosim.errors import DataError

__all__ = ["available_voices", "data_path", "sample_rate", "synthesize", "version"]

INSTALL_HINT = "install it with `pip install espeakng-loader` (the wheel bundles eSpeak NG and its voices)"

# speak_lib.h constants
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE, _PITCH, _RANGE = 1, 3, 4  # espeak_PARAMETER
_RATE_LIMITS = (80, 450)  # words per minute, eSpeak's documented range
_PITCH_LIMITS = (0, 99)  # eSpeak's pitch and range scale, 50 = the voice's normal

RAND_SEED = 1  # seed of eSpeak's own noise generator (espeak_ng_SetRandSeed), every call

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

_LOCK = threading.RLock()
_STATE: dict[str, object] = {}  # lazily filled: library path, data path, sample rate, version


def _loader_paths() -> tuple[str, str]:
    """(library path, data path) from espeakng_loader; DataError if unavailable."""
    try:
        import espeakng_loader
    except ImportError as exc:
        raise DataError(
            f"spoken-digits needs the eSpeak NG speech synthesiser: {INSTALL_HINT} ({exc})"
        ) from exc
    try:
        lib, data = espeakng_loader.get_library_path(), espeakng_loader.get_data_path()
    except Exception as exc:  # the loader raises RuntimeError when its data folder is missing
        raise DataError(
            f"eSpeak NG from espeakng-loader is incomplete ({exc}); reinstall: {INSTALL_HINT}"
        ) from exc
    if not Path(lib).is_file():
        raise DataError(f"eSpeak NG library not found at {lib}; reinstall: {INSTALL_HINT}")
    return lib, data


def _is_resident(path: str) -> bool:
    """True if the shared library at ``path`` is currently loaded in this process."""
    noload = getattr(os, "RTLD_NOLOAD", None)
    if noload is None:  # e.g. Windows: cannot ask, assume not
        return False
    try:
        probe = ctypes.CDLL(path, mode=noload | os.RTLD_LAZY | os.RTLD_LOCAL)
    except OSError:
        return False
    _unload(probe)  # RTLD_NOLOAD still took a reference
    return True


def _unload(lib: ctypes.CDLL) -> None:
    import _ctypes

    close = getattr(_ctypes, "dlclose", None) or getattr(_ctypes, "FreeLibrary")
    close(lib._handle)


def _private_copy(path: str) -> str:
    """Copy the library to a new file in this process's temporary folder (removed at exit)."""
    if "tmpdir" not in _STATE:
        import atexit

        _STATE["tmpdir"] = tempfile.mkdtemp(prefix="neurosim-espeak-")
        atexit.register(shutil.rmtree, _STATE["tmpdir"], True)
    # a new, unique name every time: a file that is (or was) loaded is never overwritten
    handle, target = tempfile.mkstemp(suffix="-" + os.path.basename(path), dir=str(_STATE["tmpdir"]))
    os.close(handle)
    shutil.copyfile(path, target)
    return target


def _fresh_path() -> str:
    """A library file that is not loaded in this process now, so loading it starts fresh.

    Normally the library itself (unloaded after every call). If other code keeps it loaded,
    a private copy; if even our own file stays loaded after use (a platform that does not
    unload), a new copy for every call (costs memory: about 1 MB each).
    """
    if _STATE["copy_each_time"]:
        return _private_copy(str(_STATE["original"]))
    if _is_resident(str(_STATE["lib"])):
        if _STATE["lib"] != _STATE["original"]:  # our own copy is held: switch to one per call
            _STATE["copy_each_time"] = True
        _STATE["lib"] = _private_copy(str(_STATE["original"]))
    return str(_STATE["lib"])


def _setup() -> dict[str, object]:
    """Find the library once (under the lock); read its sample rate and version."""
    if "rate" not in _STATE:
        lib_path, data = _loader_paths()
        _STATE.update(original=lib_path, lib=lib_path, data=data, copy_each_time=False)
        try:
            with _Instance() as inst:
                inst.lib.espeak_Info.argtypes = [ctypes.c_void_p]
                inst.lib.espeak_Info.restype = ctypes.c_char_p
                version = inst.lib.espeak_Info(None).decode("ascii", "replace")
                _STATE.update(rate=inst.rate, version=version)
        except BaseException:
            _STATE.pop("lib")  # not set up: the next call tries again
            raise
    return _STATE


class _Instance:
    """One freshly loaded, initialised library instance; unloaded again on exit."""

    def __enter__(self) -> "_Instance":
        self.path = _fresh_path()
        try:
            lib = ctypes.CDLL(self.path, mode=getattr(os, "RTLD_LOCAL", 0))
        except OSError as exc:
            raise DataError(f"cannot load the eSpeak NG library {self.path} ({exc}); {INSTALL_HINT}") from exc
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]
        self.lib = lib
        self.rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, str(_STATE["data"]).encode(), 0)
        if self.rate <= 0:
            self._close()
            raise DataError(
                f"eSpeak NG failed to initialise with its data folder {_STATE['data']}; "
                f"reinstall: {INSTALL_HINT}"
            )
        return self

    def _close(self) -> None:
        lib, self.lib = self.lib, None
        _unload(lib)
        if _is_resident(self.path):  # not unloaded: the next call must load another file
            _STATE["copy_each_time"] = True

    def __exit__(self, *exc) -> None:
        self.lib.espeak_Terminate()
        self._close()


def _check_range(what: str, value: int, limits: tuple[int, int]) -> int:
    is_int = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not is_int or not limits[0] <= value <= limits[1]:
        raise DataError(f"eSpeak {what} must be an integer in [{limits[0]}, {limits[1]}], got {value!r}")
    return int(value)


def synthesize(
    text: str, voice: str = "en", *, rate: int = 175, pitch: int = 50, pitch_range: int = 50
) -> np.ndarray:
    """Speak ``text`` with eSpeak NG and return the waveform.

    Args:
        text: UTF-8 text, e.g. ``"seven"``.
        voice: an eSpeak voice name, optionally with a variant, e.g. ``"en-us"`` or
            ``"en-gb-scotland+m3"`` (see :func:`available_voices`).
        rate: speaking rate in words per minute, 80-450 (eSpeak's default 175).
        pitch: base pitch on eSpeak's 0-99 scale (50 = the voice's normal pitch).
        pitch_range: intonation range on the 0-99 scale (50 = normal, 0 = monotone).

    Returns:
        int16 array, shape ``(n_samples,)``, mono, at :func:`sample_rate` Hz (22,050 Hz
        for the bundled library), as eSpeak produced it (no trimming). The same
        arguments always give the same samples (a fresh library instance per call).

    Raises:
        DataError: eSpeak NG is not installed or fails, an unknown voice, a parameter out
            of range.
    """
    rate = _check_range("rate (words per minute)", rate, _RATE_LIMITS)
    pitch = _check_range("pitch", pitch, _PITCH_LIMITS)
    pitch_range = _check_range("pitch range", pitch_range, _PITCH_LIMITS)
    chunks: list[np.ndarray] = []

    def collect(wav, n, _events):  # called by eSpeak with each block of samples
        if n > 0 and wav:
            chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0  # 0 = continue

    callback = _CALLBACK(collect)
    data = text.encode("utf-8")
    with _LOCK:
        _setup()
        with _Instance() as inst:
            lib = inst.lib
            lib.espeak_SetSynthCallback(callback)
            if lib.espeak_SetVoiceByName(voice.encode("utf-8")) != 0:
                raise DataError(
                    f"eSpeak NG has no voice {voice!r}; available language voices: "
                    f"{', '.join(available_voices())} (a variant is added as '+name', e.g. 'en+m3')"
                )
            for param, value in ((_RATE, rate), (_PITCH, pitch), (_RANGE, pitch_range)):
                lib.espeak_SetParameter(param, value, 0)
            # eSpeak seeds its own noise generator (breath, Klatt noise) from the clock at
            # initialisation: fix it, so that noisy voices repeat themselves too
            lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
            lib.espeak_ng_SetRandSeed(RAND_SEED)
            err = lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            if err != 0:
                raise DataError(f"eSpeak NG failed to synthesise {text!r} with voice {voice!r} (error {err})")
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)


def sample_rate() -> int:
    """Sample rate of :func:`synthesize`'s output in Hz (22,050 for the bundled library)."""
    with _LOCK:
        return int(_setup()["rate"])


def version() -> str:
    """eSpeak NG's version string, e.g. ``"1.52.0"`` (the library bundled by espeakng-loader)."""
    with _LOCK:
        return str(_setup()["version"])


def data_path() -> Path:
    """The eSpeak NG data folder in use (voices, dictionaries)."""
    with _LOCK:
        return Path(str(_setup()["data"]))


def available_voices(language_prefix: str = "en") -> list[str]:
    """Language voice names in the bundled data starting with ``language_prefix``, lower case
    (e.g. ``["en", "en-029", "en-gb-scotland", …]``); variants (``+m3``, ``+f2``, …) are the
    file names in ``espeak-ng-data/voices/!v``."""
    lang = data_path() / "lang"
    names = {p.name.lower() for p in lang.rglob("*") if p.is_file()}
    return sorted(n for n in names if n.startswith(language_prefix.lower()))
