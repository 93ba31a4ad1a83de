"""Every route of the project, read from the URL configuration itself.

`all_routes()` walks `get_resolver()` recursively (includes, namespaces, DRF routers and their
format-suffix variants), so a view added anywhere shows up here without anyone listing it.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

_CONVERTER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name ("workspace:home"); the route itself when unnamed
    route: str  # the pattern as written, prefixes included
    params: tuple[str, ...]  # the URL keywords, in order

    @property
    def has_format(self) -> bool:
        return "format" in self.params

    @property
    def key(self) -> str:
        """One entry per name; a format-suffix variant is `name.<format>`."""
        return f"{self.name}.<format>" if self.has_format else self.name

    def url(self, values: dict) -> str:
        kwargs = {param: values[param] for param in self.params}
        if self.name != self.route:
            return reverse(self.name, kwargs=kwargs)
        # Unnamed (the admin's object shortcuts and its catch-all): fill the pattern itself.
        path = _GROUP.sub(lambda m: str(kwargs[m["name"]]), self.route)
        path = _CONVERTER.sub(lambda m: str(kwargs[m["name"]]), path)
        return "/" + path.replace("^", "").replace("$", "")


def _params(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return []


def _walk(patterns, prefix: str, namespace: str | None, params: list[str]):
    for entry in patterns:
        here = params + _params(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner, here)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                name = route
            yield Route(name=name, route=route, params=tuple(here))


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", None, []))
