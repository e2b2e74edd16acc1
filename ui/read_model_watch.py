"""Clear the cached views when the read model changed behind them.

A write made in this dashboard clears the views it changes (``ui.caching.invalidate``).
Stripe's events are applied by whichever dashboard process receives them (a webhook, the
poller, a catch-up), outside any page run, and until this watch came the views of each
process kept what they had read for their time to live (2-5 minutes): a payment arriving
showed on Invoices and Cash received while the Overview still had the figures from before
it. Now every page run compares the read model's change marker
(``services.readmodel.upkeep.ReadModelUpkeep.change_marker``: two small reads) with the one
this process saw last, and a change clears every data view first, so each page answers
from the same copy its "As of" line describes.
"""

from __future__ import annotations

import logging
import threading

from ui import runtime
from ui.caching import invalidate

LOG = logging.getLogger(__name__)
#: The views a change of the read model or of the payment events can make stale.
DATA_AREAS = ("invoices", "customers", "catalog", "reports", "events")

_lock = threading.Lock()
_seen: list[tuple[object, ...]] = []  # the marker this process saw last (none yet: empty)


def note_changes() -> bool:
    """Read the change marker; when it differs from the one seen last in this process,
    clear every view of :data:`DATA_AREAS`. Returns whether views were cleared. The
    first marker read (at start, by the warm-up) is only remembered. Never raises: with
    no services or no database the page says so itself."""
    try:
        marker = runtime.services().upkeep.change_marker()
    except Exception:
        LOG.debug("no read model marker to compare", exc_info=True)
        return False
    with _lock:
        changed = bool(_seen) and _seen[0] != marker
        _seen[:] = [marker]
    if changed:
        invalidate(*DATA_AREAS)
    return changed
