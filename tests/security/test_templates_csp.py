"""The Content Security Policy forbids inline scripts: no template may rely on one.

Browser tests catch a violation on the pages they visit; this catches it on every template,
including pages no journey opens (a printed letter, an error page).
"""

import re
from pathlib import Path

from django.conf import settings

INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"href\s*=\s*[\"']\s*javascript:", re.IGNORECASE)


def test_no_template_carries_an_inline_script_or_event_handler():
    offenders = []
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            text = path.read_text(encoding="utf-8")
            for pattern in (INLINE_HANDLER, INLINE_SCRIPT, JAVASCRIPT_URL):
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    offenders.append(
                        f"{path.relative_to(settings.BASE_DIR)}:{line}: {match.group(0)}"
                    )
    assert not offenders, "inline scripts are blocked by the CSP; use static/js:\n" + "\n".join(
        offenders
    )
