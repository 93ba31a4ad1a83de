"""Whole-page caching for visitors without a session, never stale.

A page that is the same for every visitor without a session (no user, no messages, no CSRF
token) is rendered once per change of the rows behind it and served from the cache, gzip-
compressed once, until a fingerprint of those rows changes.
"""

import gzip
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from .fingerprint import cache_key

CACHE_SECONDS = 60 * 60 * 24


def is_plain_visitor(request) -> bool:
    """No session and no pending messages: nothing on a public page differs between them."""
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def cache_for_visitors(fingerprint: Callable[[], str], *, clock_seconds: int | None = None):
    """Serve the view's 200 responses to plain visitors from the cache, keyed on the full
    path and `fingerprint()` (one cheap query that changes with the page's rows).

    `clock_seconds`: for a page that also changes with the time (a workshop is open until its
    first session starts), the key changes every that many seconds too, so the page is at
    most that far behind the clock, and never behind its rows.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not is_plain_visitor(request):
                return view(request, *args, **kwargs)
            parts = [request.get_full_path(), fingerprint()]
            if clock_seconds:
                parts.append(str(int(timezone.now().timestamp() // clock_seconds)))
            key = cache_key("page", *parts)
            cached = cache.get(key)
            if cached is None:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming:
                    return response
                body = response.content
                cached = (body, gzip.compress(body, compresslevel=6), response["Content-Type"])
                cache.set(key, cached, CACHE_SECONDS)
            body, compressed, content_type = cached
            if "gzip" in request.headers.get("Accept-Encoding", ""):
                response = HttpResponse(compressed, content_type=content_type)
                response["Content-Encoding"] = "gzip"
            else:
                response = HttpResponse(body, content_type=content_type)
            patch_vary_headers(response, ["Accept-Encoding", "Cookie"])
            return response

        return wrapper

    return decorator
