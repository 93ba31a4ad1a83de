"""The sign-in lock-out (django-axes), first in AUTHENTICATION_BACKENDS."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a sign-in while its email address is locked out from the request's IP address.

    It only checks; ModelBackend, next in the list, checks the password and loads users.
    Axes counts attempts per request, so it raises when `authenticate()` has none. Every
    sign-in over the web passes one (the sign-in page, the admin's); only code without a
    request does not (a shell, the test client's `login()`), and that is nobody guessing from
    an address: it goes on to the password check unlocked.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_username(request, credentials: dict | None) -> str | None:
    """The email address an attempt was for, as accounts are found: trimmed, lower case.

    Without this, "Ada@Example.org" and "ada@example.org" would be two lock-out counters
    for one account.
    """
    if credentials:
        raw = credentials.get("username") or credentials.get("email")
    else:
        data = getattr(request, "data", None) or request.POST
        raw = data.get("username") or data.get("email")
    return (raw or "").strip().lower() or None
