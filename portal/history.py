"""Who django-simple-history records as the author of a version."""

from django.contrib.auth import get_user_model


def history_user(request=None, **kwargs):
    """The request's person, or nobody: an API call with an integration token has a landlord
    principal, not a user account, and a version's author must be a user (or empty)."""
    user = getattr(request, "user", None)
    return user if isinstance(user, get_user_model()) else None
