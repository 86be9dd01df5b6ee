"""`python -m bench [name ...]`: run every public `bench/*.py` module's `main()` (or the named ones).

Each benchmark runs in a process of its own, so one's environment (DAGSTER_HOME, servers, threads) never
leaks into the next. Benchmarks print one JSON line per figure on stdout and progress on stderr.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks() -> list[str]:
    """Names of the public benchmark modules, sorted (files starting with `_` are helpers)."""
    return sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))


def run(name: str) -> int:
    """Run one benchmark's `main()` in a child process; its stdout and stderr pass straight through."""
    code = f"from bench.{name} import main; main()"
    return subprocess.run([sys.executable, "-c", code], cwd=HERE.parent, check=False).returncode


def main(argv: list[str]) -> int:
    known = benchmarks()
    wanted = argv or known
    unknown = [n for n in wanted if n not in known]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    failed = []
    for name in wanted:
        print(f"bench: {name}", file=sys.stderr, flush=True)
        if run(name) != 0:
            failed.append(name)
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
