"""The suite's own rules: missing real data skips locally and fails under CI; the x86_fma
bit-exactness tests skip, with a reason, off x86-64."""

from __future__ import annotations

import pytest
from conftest import in_ci, require_data, x86_fma_skip_reason


@pytest.mark.parametrize("value, expected", [("", False), ("0", False), ("false", False), ("No", False),
                                             ("1", True), ("true", True), ("yes", True)])
def test_ci_flag(monkeypatch, value, expected):
    monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def test_missing_real_data_skips_outside_ci(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="real data not found"):
        require_data(tmp_path / "absent")


def test_missing_real_data_fails_under_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="real data not found.*CI is set"):
        require_data(tmp_path / "absent")


def test_present_data_is_returned(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "1")
    assert require_data(tmp_path) == tmp_path


def test_x86_fma_tests_run_only_on_x86_64():
    assert x86_fma_skip_reason("x86_64") is None and x86_fma_skip_reason("AMD64") is None
    for machine in ("aarch64", "arm64", "ppc64le", ""):
        assert "x86-64" in x86_fma_skip_reason(machine)


def test_x86_fma_marker_is_registered(pytestconfig):
    assert any(m.startswith("x86_fma:") for m in pytestconfig.getini("markers"))
