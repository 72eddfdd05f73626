"""Shared pieces of the hypothesis fuzz tests (forms and services): bounded, no deadline.

Every example runs in a savepoint that is rolled back, so examples never see each other's rows;
"nothing written" is checked by counting rows before and after inside the example.
"""

import contextlib
import os
import re

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# The suite (and CI) runs the same examples every time: a failure is a bug found once and for all,
# never a test that fails at random on somebody else's change. FUZZ_EXPLORE=1 searches anew, with
# more examples, for a developer hunting bugs:
#     FUZZ_EXPLORE=1 .venv/bin/python -m pytest tests -k fuzz
EXPLORE = os.environ.get("FUZZ_EXPLORE") == "1"
EXAMPLES = 400 if EXPLORE else 40
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not EXPLORE,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Anything a browser (or a script) can send in a field: empty, blanks, long, NUL, odd unicode.
field_text = st.one_of(
    st.just(""),
    st.just("   "),
    st.text(max_size=40),
    st.text(min_size=300, max_size=3000),
    st.just("\x00"),
    st.just("<script>alert(1)</script>"),
    st.just("2026-02-30"),
    st.just("-1"),
)

ENGLISH = re.compile(
    r"\b(This field|Enter a|Select a valid|Ensure this|is required|must be|characters|"
    r"Null characters|is not|not a valid|invalid)\b",
    re.IGNORECASE,
)


def one_of_or_text(values) -> st.SearchStrategy:
    """A valid choice most of the time, anything else otherwise."""
    return st.one_of(st.sampled_from(list(values)), field_text)


def assert_french(messages) -> None:
    for message in messages:
        assert message.strip(), "an empty error message"
        assert not ENGLISH.search(str(message)), f"not French: {message!r}"


def form_errors(response) -> list[str]:
    """Every error message of every form in the response's context."""
    messages = []
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            errors = getattr(value, "errors", None)
            if hasattr(value, "is_bound") and errors:
                messages += [m for field_errors in errors.values() for m in field_errors]
    return messages


@contextlib.contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
