"""What `PreloadedRunLauncher`'s forkserver imports once, so that every run process starts with it loaded.

Besides Dagster and the Definitions: the run command each forked process calls, the instance's storage
modules, and `dagster._daemon.cli`, because a process forked for `dagster-daemon run` first re-imports that
script as its main module (multiprocessing's preparation of a child), about 2 s of imports under load.
"""

import contextlib
import gc
import importlib

import dagster  # noqa: F401  (imported for its side effect: loaded before the fork)

MODULES = [
    "dagster._cli.api",
    "dagster._daemon.cli",
    "dagster._core.storage.runs.sqlite",
    "dagster._core.storage.event_log.sqlite",
    "dagster._core.storage.schedules.sqlite",
    "dagster_postgres",
    "connector_assets.definitions",
]

for module in MODULES:
    # A module that fails here is imported (and its error reported) by the run that needs it.
    with contextlib.suppress(Exception):
        importlib.import_module(module)

# Every process forked from here inherits these objects: left out of its garbage collections, they are neither
# scanned again by each run nor copied into its memory by the collector touching them (copy-on-write).
gc.freeze()
