"""The test suite's own machinery (docs/testing.md): Hypothesis keeps drawing new examples in CI,
from one printed seed per run; skipping helpers fail under CI=true instead of hiding a check."""

from __future__ import annotations

import os

import pytest
from hypothesis import core, given, settings
from hypothesis import strategies as st

from helpers import in_ci, skip_or_fail_in_ci


def test_the_profile_keeps_randomisation_and_has_no_deadline() -> None:
    current = settings.default
    assert current.derandomize is False  # Hypothesis's own "ci" profile would try one fixed set forever
    assert current.deadline is None  # a loaded machine is not a failure
    if in_ci():
        assert settings.get_current_profile_name() == "reqtrack-ci"
        assert current.database is None  # nothing carried over between CI runs but the seed
    assert isinstance(core.global_force_seed, int)  # one seed for the run, printed in the header


def _draws(seed: int) -> list[int]:
    """What one property draws under the run's profile with the run seed set to `seed`."""
    seen: list[int] = []

    @settings(max_examples=20, database=None)
    @given(st.integers(0, 10**9))
    def probe(n: int) -> None:
        seen.append(n)

    saved = core.global_force_seed
    core.global_force_seed = seed
    try:
        probe()
    finally:
        core.global_force_seed = saved
    return seen


def test_the_seed_decides_the_examples() -> None:
    """The same seed draws the same examples (a failure can be repeated); another seed draws
    others (each CI run explores new ones)."""
    assert _draws(1) == _draws(1)
    assert _draws(1) != _draws(2)


def test_skipping_is_refused_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true, so this check may not be skipped: no seed file"):
        skip_or_fail_in_ci("no seed file")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="no seed file"):
        skip_or_fail_in_ci("no seed file")
    assert os.environ["CI"] == ""
