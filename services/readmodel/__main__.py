"""``python -m services.readmodel``: fill the read model from Stripe, with progress.

Uses the dashboard's settings (``STRIPE_API_KEY``, ``STRIPE_API_BASE``,
``DATABASE_URL``, ``STRIPE_READ_RATE``) from the environment. Safe to stop with
Ctrl-C and run again: it resumes where it stopped. ``--restart`` lists everything
again; ``--catch-up`` then applies the events since the last one read.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from services.container import build_services
from services.core.errors import DashboardError
from services.core.settings import Settings
from services.readmodel.sync import BackfillProgress


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restart", action="store_true", help="list everything again")
    parser.add_argument("--catch-up", action="store_true", help="then apply newer events")
    args = parser.parse_args(argv)
    settings = Settings.from_mapping(os.environ)
    if settings.stripe_api_key is None:
        print("Set STRIPE_API_KEY (and STRIPE_API_BASE for the emulator).", file=sys.stderr)
        return 2
    services = build_services(settings)
    started = time.monotonic()

    def show(progress: BackfillProgress) -> None:
        listed = ", ".join(f"{kind} {count:,}" for kind, count in progress.listed.items())
        print(f"\r{time.monotonic() - started:7.1f} s  {progress.requests:,} requests  "
              f"{listed}", end="", flush=True)

    try:
        if args.restart:
            services.read_model.restart_backfill()
        report = services.upkeep.backfill(show)
        print(f"\nBackfill {'done' if report.finished else 'stopped'}: "
              f"{sum(report.listed.values()):,} objects, {report.requests:,} requests, "
              f"{time.monotonic() - started:.1f} s")
        if args.catch_up:
            print(f"Events applied by the catch-up: {services.upkeep.catch_up()}")
    except DashboardError as err:
        print(f"\n{err}", file=sys.stderr)
        return 1
    finally:
        services.events.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
