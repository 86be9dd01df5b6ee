"""Workforce: employee snapshot diff into hires, terminations, rehires and job/department/pay changes."""

from connector_assets.workforce.diff import (
    SNAPSHOT_COLUMNS,
    SnapshotError,
    WorkforceChange,
    changes_frame,
    diff_employees,
)

__all__ = ["SNAPSHOT_COLUMNS", "SnapshotError", "WorkforceChange", "changes_frame", "diff_employees"]
