"""``python -m stripe_emulator --host 127.0.0.1 --port 12111 --db PATH``."""

from __future__ import annotations

import argparse
import logging

import uvicorn

from stripe_emulator.app import create_app
from stripe_emulator.backend.registry import open_state
from stripe_emulator.backend.state import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m stripe_emulator",
                                     description="A faithful, stateful local Stripe.")
    parser.add_argument("--host", default="127.0.0.1", help="interface (default loopback)")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--db", default=None, help="SQLite file (default: in memory)")
    parser.add_argument("--settlement-delay", type=float, default=5.0,
                        help="seconds before a bank debit settles (default 5)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    state = open_state(args.db, Settings(settlement_delay_seconds=args.settlement_delay))
    state.public_url = f"http://{args.host}:{args.port}"
    state.start()
    try:
        uvicorn.run(create_app(state), host=args.host, port=args.port, log_level="info")
    finally:
        state.stop()


if __name__ == "__main__":
    main()
