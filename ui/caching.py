"""The dashboard's one cache: reads stamped with their load time, cleared by area after writes.

``@cached_view("invoices", ttl="2m")`` turns a loader into a cached function
returning :class:`Snapshot` (the value and its "as of" time) and files it under
one or more *areas*. A write calls :func:`invalidate` with the areas it changes
("invoices", "customers", "catalog", "reports", "audit", "events"), which clears
every cached view in them; a Refresh button does the same for its view
(:func:`refresher`). Caches are shared by all users (every role may view
everything) and bounded. The cached reads themselves live in :mod:`ui.reads`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, ParamSpec, Protocol, TypeVar

import streamlit as st

from services.core.clock import business_time, utc_now

P = ParamSpec("P")
T = TypeVar("T")
AREAS = ("invoices", "customers", "catalog", "reports", "audit", "events")
_REGISTRY: dict[str, dict[str, Any]] = {area: {} for area in AREAS}


@dataclass(frozen=True)
class Snapshot(Generic[T]):
    """A loaded value and when it was loaded (shown as "As of hh:mm:ss")."""

    value: T
    as_of: datetime


class CachedView(Protocol[P, T]):
    """What :func:`cached_view` makes of a loader: called like it, answering a
    :class:`Snapshot`; ``clear()`` forgets every cached answer (a Refresh button)."""

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Snapshot[T]: ...

    def clear(self) -> None: ...


def cached_view(
    *areas: str, ttl: str = "2m", spinner: str = "Loading…", max_entries: int = 64,
    background_refresh: bool = False,
) -> Callable[[Callable[P, T]], CachedView[P, T]]:
    """Cache a loader's result with its load time; clear it when ``areas`` change.

    With ``background_refresh`` an expired entry is still served (its "as of" says
    how old it is) while a fresh load runs in the background; a write's
    :func:`invalidate` still forces the next read to load anew.
    """
    unknown = set(areas) - set(AREAS)
    if unknown or not areas:
        raise ValueError(f"areas: use some of {', '.join(AREAS)}, not {sorted(unknown)}")

    def decorate(loader: Callable[P, T]) -> CachedView[P, T]:
        @functools.wraps(loader)
        def stamped(*args: P.args, **kwargs: P.kwargs) -> Snapshot[T]:
            return Snapshot(loader(*args, **kwargs), business_time(utc_now()))

        cached = st.cache_data(
            ttl=ttl, show_spinner=spinner, max_entries=max_entries,
            refresh_mode="background" if background_refresh else "foreground",
        )(stamped)
        name = f"{loader.__module__}.{loader.__qualname__}"  # re-imports replace, not add
        for area in areas:
            _REGISTRY[area][name] = cached
        return cached

    return decorate


def invalidate(*areas: str) -> None:
    """Forget every cached view in ``areas`` (after a write, or on Refresh)."""
    for area in areas:
        for cached in _REGISTRY.get(area, {}).values():
            cached.clear()


def refresher(*areas: str) -> Callable[[], None]:
    """A Refresh-button callback clearing ``areas``."""
    return functools.partial(invalidate, *areas)
