"""`CONNECTOR_ENV_FILE`: a `KEY=value` file (written by `connector demo` and `connector dev`) read at start-up.

Variables already set in the environment win, so a shell can still override one of them.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_FILE_VAR = "CONNECTOR_ENV_FILE"


class EnvFileError(RuntimeError):
    """The file `CONNECTOR_ENV_FILE` names cannot be read."""


def load_env_file(path: str | None = None) -> Path | None:
    """Apply the file's variables that are not set yet; returns its path, or None when none is named."""
    named = path or os.environ.get(ENV_FILE_VAR)
    if not named:
        return None
    file = Path(named)
    try:
        text = file.read_text()
    except OSError as exc:
        raise EnvFileError(
            f"{ENV_FILE_VAR}={named} cannot be read ({exc.strerror}); run `make demo` again or unset {ENV_FILE_VAR}"
        ) from None
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.lstrip().startswith("#"):
            os.environ.setdefault(key.strip(), value.strip())
    return file
