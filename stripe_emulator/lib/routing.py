"""Route table primitives: :class:`Route`, the ordered :class:`Router`, :class:`ApiCall`.

Patterns use ``{name}`` placeholders for one path segment. The router matches
in table order and refuses, at start-up, a table where a route can never be
reached because an earlier one (e.g. ``/v1/invoices/{id}`` before
``/v1/invoices/search``) swallows it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from stripe_emulator.lib.errors import RouteNotFoundError
from stripe_emulator.lib.params import Schema

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class ApiCall:
    """One API request as an endpoint handler sees it."""

    state: Any  # backend.state.EmulatorState (typed loosely: lib/ stays resource-agnostic)
    method: str
    path: str
    path_params: dict[str, str]
    raw_params: dict[str, Any]
    request_id: str = ""
    idempotency_key: str | None = None

    def params(self, schema: Schema) -> dict[str, Any]:
        """The request's parameters validated against ``schema``."""
        return schema.parse(self.raw_params)


@dataclass(frozen=True)
class PageAnswer:
    """A non-JSON answer of a public page (hosted invoice page, PDF)."""

    content: str | bytes
    media_type: str = "text/html; charset=utf-8"
    status: int = 200


Handler = Callable[[ApiCall], Any]


@dataclass(frozen=True)
class Route:
    """``handler(call)`` returns the JSON body (API routes) or a :class:`PageAnswer`
    (``public`` page routes, served without an API key, e.g. hosted invoice pages)."""

    method: str
    pattern: str
    handler: Handler
    public: bool = False

    def regex(self) -> re.Pattern[str]:
        body = _PLACEHOLDER.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(self.pattern)
                                .replace(r"\{", "{").replace(r"\}", "}"))
        return re.compile(f"^{body}$")


def get(pattern: str, handler: Handler) -> Route:
    return Route("GET", pattern, handler)


def post(pattern: str, handler: Handler) -> Route:
    return Route("POST", pattern, handler)


def delete(pattern: str, handler: Handler) -> Route:
    return Route("DELETE", pattern, handler)


def page(pattern: str, handler: Handler) -> Route:
    """A public GET page outside ``/v1`` (no API key), answering a :class:`PageAnswer`."""
    return Route("GET", pattern, handler, public=True)


class Router:
    """Matches ``(method, path)`` against the ordered table."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self.routes = list(routes)
        self._compiled = [(r, r.regex()) for r in self.routes]
        self._check_reachable()

    def _check_reachable(self) -> None:
        for index, (route, _) in enumerate(self._compiled):
            sample = _PLACEHOLDER.sub("x_sample", route.pattern)
            for earlier, regex in self._compiled[:index]:
                if earlier.method == route.method and regex.match(sample):
                    raise ValueError(
                        f"route {route.method} {route.pattern} is shadowed by "
                        f"{earlier.pattern}: put action routes before /{{id}}"
                    )

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        for route, regex in self._compiled:
            if route.method != method:
                continue
            found = regex.match(path)
            if found:
                return route, found.groupdict()
        raise RouteNotFoundError(method, path)
