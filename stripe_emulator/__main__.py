"""``python -m stripe_emulator --host 127.0.0.1 --port 12111 --db PATH``
(``--latency-ms N``, ``--rate-limit [test|live|READ,WRITE[,SEARCH]]``: see ``--help``)."""

from __future__ import annotations

import argparse
import logging

import uvicorn

from stripe_emulator.app import create_app
from stripe_emulator.backend.registry import open_state
from stripe_emulator.backend.state import Settings
from stripe_emulator.lib.throttle import PRESETS, RateLimits, Throttle, parse_rate_limit


def _latency(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _rate_limit(text: str) -> RateLimits | None:
    try:
        return parse_rate_limit(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m stripe_emulator",
                                     description="A faithful, stateful local Stripe.")
    parser.add_argument("--host", default="127.0.0.1", help="interface (default loopback)")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--db", default=None, help="SQLite file (default: in memory)")
    parser.add_argument("--settlement-delay", type=float, default=5.0,
                        help="seconds before a bank debit settles (default 5)")
    parser.add_argument("--latency-ms", type=_latency, default=0.0, metavar="N",
                        help="add N milliseconds to every answer, as a network would "
                             "(asynchronous: concurrent requests each wait N ms; default 0)")
    parser.add_argument("--rate-limit", type=_rate_limit, nargs="?", const=PRESETS["test"],
                        default=None, metavar="test|live|READ,WRITE[,SEARCH]",
                        help="Stripe's rate limiter, per second: 'test' (the default when "
                             "given alone: 25 reads, 25 writes), 'live' (100, 100), or "
                             "explicit numbers; searches (/v1/*/search) 20/s unless given. "
                             "Over budget: 429 rate_limit. Default: no limit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    throttle = Throttle(latency_ms=args.latency_ms, rate_limit=args.rate_limit)
    state = open_state(args.db, Settings(settlement_delay_seconds=args.settlement_delay))
    state.public_url = f"http://{args.host}:{args.port}"
    state.start()
    try:
        uvicorn.run(create_app(state, throttle), host=args.host, port=args.port, log_level="info")
    finally:
        state.stop()


if __name__ == "__main__":
    main()
