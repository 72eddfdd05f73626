"""Figures of the security tests, printed at the end of the run (whatever ``-s`` says)."""

import pytest

SWEEP_FIGURES = pytest.StashKey[dict]()
