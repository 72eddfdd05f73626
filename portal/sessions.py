"""What the navigation asks on every page, remembered in the session for a few minutes."""

import time

#: How long a remembered answer holds: a link that a new record opens (a housing application, a
#: committee seat) appears within this time, and every page in between runs one query fewer.
NAV_MEMO_SECONDS = 300


def session_memo(request, key: str, compute, *, seconds: int = NAV_MEMO_SECONDS):
    """``compute()``, asked again at most once every ``seconds`` in this session (JSON values)."""
    session = getattr(request, "session", None)
    if session is None:
        return compute()
    now = time.time()
    stored = session.get(key)
    if isinstance(stored, list) and len(stored) == 2 and 0 <= now - stored[1] < seconds:
        return stored[0]
    value = compute()
    session[key] = [value, now]
    return value
