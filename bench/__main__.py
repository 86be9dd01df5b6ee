"""`python -m bench [name ...]`: run every public `bench/*.py` module's `main()` (or the named ones).

Each benchmark runs in a process of its own, so one's environment (DAGSTER_HOME, servers, threads) never
leaks into the next. Benchmarks print one JSON line per figure on stdout and progress on stderr.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench._machine import default_signals, with_machine

HERE = Path(__file__).resolve().parent


def benchmarks() -> list[str]:
    """Names of the public benchmark modules, sorted (files starting with `_` are helpers)."""
    return sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))


def run(name: str) -> int:
    """Run one benchmark's `main()` in a child process; stderr passes straight through, and each JSON line
    on stdout gets the machine's core count and load average at the moment it was printed."""
    code = f"from bench.{name} import main; main()"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [sys.executable, "-c", code], cwd=HERE.parent, env=env, stdout=subprocess.PIPE, text=True
    ) as child:
        for line in child.stdout or ():
            print(with_machine(line.rstrip("\n")), flush=True)
    return child.returncode


def main(argv: list[str]) -> int:
    # Children inherit an ignored SIGINT; with the default handler here they start with the default too.
    default_signals()
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
