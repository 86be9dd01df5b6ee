"""What `PreloadedRunLauncher`'s forkserver imports once, so that every run process starts with it loaded."""

import contextlib

import dagster  # noqa: F401  (imported for its side effect: loaded before the fork)

with contextlib.suppress(Exception):  # a run importing broken Definitions reports the error itself
    import connector_assets.definitions  # noqa: F401
