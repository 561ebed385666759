"""The hand-made mutations of ``tests/mutations.py`` still apply to the code.

Running them all takes many minutes (``.venv/bin/python tests/mutations.py``); this checks,
on every run of the suite, that each one still finds the text it mutates exactly once and
names tests that exist: a mutation that no longer applies would report nothing, forever.
"""

from __future__ import annotations

import pytest

from conftest import REPO
from mutations import M, stale


@pytest.mark.parametrize(("name", "rel", "old", "new", "tests"), M, ids=[m[0] for m in M])
def test_each_hand_made_mutation_still_applies(name, rel, old, new, tests):
    assert stale(name, rel, old) is None
    assert old != new
    assert all((REPO / path.partition("::")[0]).is_file() for path in tests.split()), tests  # a file, or file::test
