"""The simulated CloudSuite Industrial tenant's IDO property lists, as a real site exposes them.

Names follow public evidence (reference §12.12: SLCharts rows carry `Acct, Description, Type, DerAmount1/2,
DerFiscalYear, RecordDate`) and Mongoose's standard columns (`RowPointer`, `RecordDate`, `NoteExistsFlag`).
Nothing here is shared with the client: it must discover these lists through `/ido/info/{IDO}` or the
`IdoProperties` IDO. Asking a load for a property outside its IDO's list fails the whole load.
"""

from __future__ import annotations

STANDARD = ("RowPointer", "RecordDate", "NoteExistsFlag", "CreatedBy", "UpdatedBy", "CreateDate")

SL_CHARTS = (
    "Acct", "Description", "Type", "EffDate", "ObsDate", "AccessUnit1", "AccessUnit2", "AccessUnit3",
    "AccessUnit4", "DerAmount1", "DerAmount2", "DerFiscalYear", *STANDARD,
)  # fmt: skip


def sl_unit_code(n: int) -> tuple[str, ...]:
    """SLUnitcd{n}s: the values of unit code n; an obsolete value carries its ObsDate."""
    return (f"UnitCode{n}", "Description", "ObsDate", *STANDARD)


SL_JOURNALS = (
    "Id", "Seq", "TransDate", "Acct", "AcctUnit1", "AcctUnit2", "AcctUnit3", "AcctUnit4", "DomAmount", "Ref",
    "ControlSite", "ControlPrefix", "ControlYear", "ControlPeriod", "ControlNumber", *STANDARD,
)  # fmt: skip

SL_LEDGERS = (
    "TransNum", "TransDate", "Acct", "AcctUnit1", "AcctUnit2", "AcctUnit3", "AcctUnit4", "DomAmount", "Ref",
    "FromId", "ControlSite", "ControlNumber", *STANDARD,
)  # fmt: skip

SL_PERIODS = ("FiscalYear", "Period", "PerStart", "PerEnd", "Closed", *STANDARD)

SL_EMPLOYEES = ("EmpNum", "Name", "Fname", "Lname", "Dept", "HireDate", "TermDate", "EmpType", "Stat", *STANDARD)

IDO_PROPERTIES = ("CollectionName", "PropertyName", "DataType", "IsReadOnly")

# EmpNumType: a right-justified key of this width (NumSortedString).
EMP_NUM_WIDTH = 7
