"""`make bench`: every benchmark in turn, each in its own process, figures to stdout.

Each bench module is also runnable alone (`python -m bench.<name> --help`).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

BENCHES = ("emulator_bench", "services_bench", "events_bench", "ui_bench", "read_model_bench")


def main() -> int:
    failures = 0
    for name in BENCHES:
        module = f"bench.{name}"
        if importlib.util.find_spec(module) is None:
            continue
        print(f"\n=== {module} ===", flush=True)
        failures += subprocess.call([sys.executable, "-m", module]) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
