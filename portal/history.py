"""Who made a change, for django-simple-history."""

from django.contrib.auth import get_user_model


def history_user(request=None, **kwargs):
    """The person behind the request, or None.

    The API authenticates landlords' systems with integration tokens whose principal is not a
    person: a change made through a token is recorded without a user (the request event says which
    token), instead of failing the write.
    """
    user = getattr(request, "user", None)
    if isinstance(user, get_user_model()) and user.is_authenticated:
        return user
    return None
