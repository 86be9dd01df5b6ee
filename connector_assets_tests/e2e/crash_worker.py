"""A run process for crash tests: executes one job partition in the Dagster instance of $DAGSTER_HOME.

Usage: python -m connector_assets_tests.e2e.crash_worker JOB PARTITION_KEY. The environment (store URL,
connections file, encryption key, Gusto app secrets) is the deployment's; the test kills this process with
SIGKILL at a chosen request and starts it again. Prints the outcome as JSON on success or failure.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import dagster as dg

from connector_assets.defs import operations as ops


def main(argv: list[str]) -> int:
    job, key = argv
    outcome = ops.run_job(dg.DagsterInstance.get(), job, key)
    print(json.dumps(asdict(outcome)))
    return 0 if outcome.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
