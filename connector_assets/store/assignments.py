"""Repository for `assignments`: the observed, effective-dated history of each employee's assignment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields

from sqlalchemy import Engine, select

from connector_assets.store._dialect import upsert_many
from connector_assets.store.tables import assignments
from connector_assets.store.vault import utcnow
from connector_assets.workforce.assignments import Assignment

SOURCE_WIDTH = 64  # the column's width; a longer label is cut, never refused
_FIELDS = (
    "department_uuid",
    "department",
    "location_uuid",
    "job_uuid",
    "job_title",
    "custom_cost_center",
    "source",
)
# Every field of an assignment is a plain value: a shallow read, not `asdict`'s deep copy of each row.
_COLUMNS = tuple(f.name for f in fields(Assignment))


class Assignments:
    """Append (or, on the same day, correct) observed assignments; read an employee's history back."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, connection_id: str, rows: Iterable[Assignment]) -> int:
        """Store new assignments; one observed again on the same day replaces that day's row."""
        now = utcnow()
        given = 0
        latest: dict[tuple[str, object], dict[str, object]] = {}
        for a in rows:  # the same employee and day twice: the later one wins, as row-by-row upserts did
            row = {c: getattr(a, c) for c in _COLUMNS}
            row.update(source=a.source[:SOURCE_WIDTH], connection_id=connection_id, observed_at=now)
            latest[(a.employee_uuid, a.effective_from)] = row
            given += 1
        # One statement for all: a first sync of thousands of employees compiled one upsert per row before.
        with self.engine.begin() as conn:
            upsert_many(conn, assignments, list(latest.values()), update_columns=(*_FIELDS, "observed_at"))
        return given

    def history(self, connection_id: str, employee_uuids: Sequence[str] | None = None) -> list[Assignment]:
        """Every stored assignment of the connection (or of these employees), oldest first."""
        query = select(assignments).where(assignments.c.connection_id == connection_id)
        if employee_uuids is not None:
            query = query.where(assignments.c.employee_uuid.in_(list(employee_uuids)))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(assignments.c.employee_uuid, assignments.c.effective_from)).all()
        return [
            Assignment(
                employee_uuid=r.employee_uuid,
                effective_from=r.effective_from,
                **{f: getattr(r, f) for f in _FIELDS},
            )
            for r in rows
        ]
