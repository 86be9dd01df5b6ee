"""M3 general ledger transactions: GLS840MI (generic GL interface batches) and GLS200MI (voucher reads)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from connector_assets.sandbox.ion.mi import MiContext, MiError, MiRegistry, Record
from connector_assets.sandbox.ion.mi_master import ALREADY_EXISTS, INVALID_VALUE, NOT_FOUND
from connector_assets.sandbox.ion.model import (
    Batch,
    PostedLine,
    Voucher,
    format_amount,
    parse_amount,
    parse_ymd8,
    ymd8,
)

BATCH_NOT_FOUND = "WKE0103"
NOT_BALANCED = "WBA0001"
VOUCHER_NOT_FOUND = "WVO0103"
PERIOD_CLOSED = "WPE0001"


def _batch(ctx: MiContext, key1: str, open_only: bool = True) -> Batch:
    batch = ctx.state.batches.get(key1)
    if batch is None:
        raise MiError(f"Batch {key1} does not exist: add it with AddBatchHead first", BATCH_NOT_FOUND, "KEY1")
    if open_only and batch.status == "posted":
        raise MiError(f"Batch {key1} is already updated to the general ledger", ALREADY_EXISTS, _dup(ctx, "KEY1"))
    return batch


def _dup(ctx: MiContext, name: str) -> str:
    """The field a duplicate-key error names: which one M3 names is undocumented (§12.6), so none by default."""
    return name if ctx.config.duplicate_error_field else ""


def add_batch_head(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    key1, intn = inputs["KEY1"], inputs["INTN"]
    names = ctx.config.interface_names
    if names is not None and intn not in names:
        raise MiError(f"Interface {intn} is not defined in GLS850", NOT_FOUND, "INTN")
    existing = ctx.state.batches.get(key1)
    if existing is not None and (existing.status != "posted" or ctx.config.reject_reused_posted_key1):
        raise MiError(
            f"Record already exists: batch key {key1} ({existing.status})", ALREADY_EXISTS, _dup(ctx, "KEY1")
        )
    ctx.state.batches[key1] = Batch(key1=key1, interface=intn, description=inputs["DESC"], division=inputs["DIVI"])
    yield {"CONO": ctx.cono}


def _amount(ctx: MiContext, inputs: Record) -> Decimal:
    try:
        amount = parse_amount(inputs["ACAM"])
    except ValueError as exc:
        raise MiError(f"Recorded amount ACAM: {exc}", INVALID_VALUE, "ACAM") from exc
    dbcr, mode = inputs.get("DBCR", ""), ctx.config.amount_sign
    if mode == "signed" or (mode == "either" and not dbcr):
        return amount
    if dbcr not in ("D", "C"):
        raise MiError(f"Debit/credit code DBCR must be D or C, got {dbcr!r}", INVALID_VALUE, "DBCR")
    if amount < 0 and (mode == "dbcr" or dbcr == "D"):
        raise MiError(
            f"Negative ACAM {amount} contradicts DBCR {dbcr}; send a positive amount", INVALID_VALUE, "ACAM"
        )
    return -abs(amount) if dbcr == "C" else amount


def validate_line(ctx: MiContext, line: PostedLine, prefix: str = "") -> None:
    """Raise MiError when the line's period is closed or any AIT1..AIT7 is unknown, blocked or not valid."""
    if ctx.state.period_closed(line.acdt):
        raise MiError(f"{prefix}Accounting period {line.acdt:%Y%m} is closed", PERIOD_CLOSED, "ACDT")
    for number, code in enumerate(line.dims, start=1):
        if not code:
            continue
        ident = ctx.state.dimensions[number].values.get(code)
        if ident is None:
            raise MiError(f"{prefix}Accounting identity {code} does not exist in dimension {number}",
                          NOT_FOUND, f"AIT{number}")  # fmt: skip
        problem = ident.problem_on(line.acdt)
        if problem:
            raise MiError(f"{prefix}Accounting identity {code} (dimension {number}) {problem} on {ymd8(line.acdt)}",
                          INVALID_VALUE, f"AIT{number}")  # fmt: skip


def add_batch_line_fld(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    batch = _batch(ctx, inputs["KEY1"])
    if not inputs["LINE"].isdigit():
        raise MiError(f"Line number {inputs['LINE']!r} must be numeric", INVALID_VALUE, "LINE")
    number = int(inputs["LINE"])
    if number in batch.lines:
        raise MiError(
            f"Record already exists: line {number} of batch {batch.key1}", ALREADY_EXISTS, _dup(ctx, "LINE")
        )
    inri, valid = inputs["INRI"], ctx.config.valid_inri
    if valid is not None and inri not in valid:
        raise MiError(f"Input record identity {inri} is not valid for this interface", INVALID_VALUE, "INRI")
    for name in ("AIT1", "ACAM", "ACDT"):
        if not inputs.get(name):
            raise MiError(f"Input field {name} is mandatory", "", name, "MandatoryInputFieldNotFound")
    try:
        acdt = parse_ymd8(inputs["ACDT"])
    except ValueError as exc:
        raise MiError(f"Accounting date ACDT: {exc}", INVALID_VALUE, "ACDT") from exc
    assert acdt is not None  # guaranteed by the mandatory check above
    _check_cuam(ctx, inputs)
    line = PostedLine(
        line=number, acdt=acdt, dims=tuple(inputs.get(f"AIT{n}", "") for n in range(1, 8)),
        amount=_amount(ctx, inputs), vtxt=inputs.get("VTXT", ""),
        currency=inputs.get("CUCD") or ctx.config.currency, inri=inri,
    )  # fmt: skip
    if ctx.config.validate_lines_on_add:
        validate_line(ctx, line)
    batch.lines[number] = line
    batch.status = "open"
    return iter(())


def _check_cuam(ctx: MiContext, inputs: Record) -> None:
    """A template that maps CUAM rejects lines without it or whose CUAM differs from ACAM (one currency)."""
    if not ctx.config.template_maps_cuam:
        return
    if not inputs.get("CUAM"):
        raise MiError("Foreign currency amount CUAM is mandatory for this interface", "", "CUAM",
                      "MandatoryInputFieldNotFound")  # fmt: skip
    try:
        cuam, acam = parse_amount(inputs["CUAM"]), parse_amount(inputs["ACAM"])
    except ValueError as exc:
        raise MiError(f"Foreign currency amount CUAM: {exc}", INVALID_VALUE, "CUAM") from exc
    if abs(cuam) != abs(acam):
        raise MiError(f"CUAM {cuam} differs from ACAM {acam} in a single-currency line", INVALID_VALUE, "CUAM")


def _check(ctx: MiContext, batch: Batch, balance: bool) -> None:
    if not batch.lines:
        raise MiError(f"Batch {batch.key1} has no lines: add them with AddBatchLineFld", INVALID_VALUE, "KEY1")
    for number in sorted(batch.lines):
        validate_line(ctx, batch.lines[number], prefix=f"Batch {batch.key1} line {number}: ")
    total = sum((ln.amount for ln in batch.lines.values()), Decimal(0))
    if balance and total != 0:
        raise MiError(f"Batch {batch.key1} does not balance: debits minus credits is {format_amount(total)}",
                      NOT_BALANCED, "ACAM")  # fmt: skip


def ctrl_batch(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    batch = _batch(ctx, inputs["KEY1"])
    _check(ctx, batch, ctx.config.ctrl_batch_checks_balance)
    batch.status = "checked"
    return iter(())


def _voucher_ref(voucher: Voucher) -> Record:
    return {"YEA4": str(voucher.year), "VSER": voucher.series, "VONO": str(voucher.number),
            "JRNO": str(voucher.journal)}  # fmt: skip


def _find_voucher(ctx: MiContext, year: int, number: int) -> Voucher | None:
    return next((v for v in _visible(ctx) if v.year == year and v.number == number), None)


def _visible(ctx: MiContext) -> list[Voucher]:
    """Vouchers the background job has created by now (GLS200MI sees no others)."""
    now = ctx.clock.now()
    return [v for v in ctx.state.vouchers if v.visible_at <= now]


def upd_batch(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    batch = _batch(ctx, inputs["KEY1"], open_only=False)
    if batch.status == "posted":
        if ctx.config.second_updbatch == "error" or batch.voucher is None:
            raise MiError(f"Batch {batch.key1} is already updated to the general ledger", ALREADY_EXISTS,
                          _dup(ctx, "KEY1"))  # fmt: skip
        posted = _find_voucher(ctx, *batch.voucher)
        if posted is not None and ctx.config.updbatch_returns_voucher:
            yield _voucher_ref(posted)
        return
    _check(ctx, batch, balance=True)  # an unbalanced voucher never reaches the ledger
    lines = [batch.lines[n] for n in sorted(batch.lines)]
    year = lines[0].acdt.year
    number = ctx.state.next_voucher.get(year, ctx.config.first_voucher_number)
    ctx.state.next_voucher[year] = number + 1
    voucher = Voucher(division=batch.division, year=year, series=ctx.config.voucher_series, number=number,
                      journal=ctx.state.next_journal, key1=batch.key1, description=batch.description,
                      lines=lines, visible_at=ctx.clock.now() + ctx.config.voucher_delay_s)  # fmt: skip
    ctx.state.next_journal += 1
    ctx.state.vouchers.append(voucher)
    batch.status, batch.voucher = "posted", (year, number)
    yield _voucher_ref(voucher) if ctx.config.updbatch_returns_voucher else {"CONO": ctx.cono}


def _voucher_key(ctx: MiContext, inputs: Record) -> Voucher:
    if not (inputs["YEA4"].isdigit() and inputs["VONO"].isdigit()):
        raise MiError("YEA4 and VONO must be numeric", INVALID_VALUE, "VONO")
    voucher = _find_voucher(ctx, int(inputs["YEA4"]), int(inputs["VONO"]))
    if voucher is None or voucher.division != inputs["DIVI"]:
        raise MiError(f"Voucher {inputs['YEA4']}/{inputs['VONO']} does not exist in division {inputs['DIVI']}",
                      VOUCHER_NOT_FOUND, "VONO")  # fmt: skip
    return voucher


def get_voucher_head(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    v = _voucher_key(ctx, inputs)
    yield {**_voucher_ref(v), "DIVI": v.division, "FEID": "", "FNCN": "", "TDSC": v.description[:40],
           "VDSC": v.description[:40], "DSUM": format_amount(v.debit_sum), "CSUM": format_amount(v.credit_sum),
           "CUAD": format_amount(v.debit_sum), "CUAC": format_amount(v.credit_sum), "CUCD": ctx.config.currency}  # fmt: skip


def _line_record(v: Voucher, jsno: int, line: PostedLine) -> Record:
    dims = {f"AIT{n}": code for n, code in enumerate(line.dims, start=1)}
    return {"DIVI": v.division, "YEA4": str(v.year), "VSER": v.series, "VONO": str(v.number),
            "JRNO": str(v.journal), "JSNO": str(jsno), "ACDT": ymd8(line.acdt), "ACYP": f"{line.acdt:%Y%m}", **dims,
            "ACAM": format_amount(line.amount), "CUAM": format_amount(line.amount), "CUCD": line.currency,
            "DBCR": "D" if line.amount >= 0 else "C", "VTXT": line.vtxt, "FEID": "", "FNCN": ""}  # fmt: skip


def lst_voucher_lines(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    v = _voucher_key(ctx, inputs)
    for jsno, line in enumerate(v.lines, start=1):
        yield _line_record(v, jsno, line)


def lst_vouchers_by_dt(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    try:
        low, high = parse_ymd8(inputs["FRDT"]) or date.min, parse_ymd8(inputs["TODT"]) or date.max
    except ValueError as exc:
        raise MiError(f"FRDT/TODT: {exc}", INVALID_VALUE, "FRDT") from exc
    rows = [(line.acdt, v.year, v.number, jsno, v, line) for v in _visible(ctx) if v.division == inputs["DIVI"]
            for jsno, line in enumerate(v.lines, start=1) if low <= line.acdt <= high]  # fmt: skip
    for _, _, _, jsno, v, line in sorted(rows, key=lambda r: r[:4]):
        yield _line_record(v, jsno, line)


def register(registry: MiRegistry) -> None:
    """Add the general-ledger transactions to `registry`."""
    batch = {"CONO": 3, "KEY1": 15, "DIVI": 3}
    registry.add("GLS840MI", "AddBatchHead", add_batch_head, {**batch, "INTN": 15, "DESC": 40, "USID": 10},
                 ["KEY1", "INTN", "DESC"])  # fmt: skip
    line = {"DIVI": 3, "KEY1": 15, "LINE": 7, "INRI": 2, "GRNR": 10, "EICD": 1, "ACQT": 17, "ACAM": 17, "DBCR": 1,
            "CUCD": 3, "CUAM": 17, "CRTP": 2, "ARAT": 13, "ACDT": 10, "SHDT": 10, "VTXT": 40, "VTCD": 2, "FTCO": 3,
            "BSCD": 3, "VRNO": 16, "EXN1": 3, "EXI1": 45, "EXN2": 3, "EXI2": 45,
            **{f"AIT{n}": 10 for n in range(1, 8)}}  # fmt: skip
    registry.add("GLS840MI", "AddBatchLineFld", add_batch_line_fld, line, ["KEY1", "LINE", "INRI"])
    registry.add("GLS840MI", "CtrlBatch", ctrl_batch, batch, ["KEY1"])
    registry.add("GLS840MI", "UpdBatch", upd_batch, batch, ["KEY1"])
    voucher = {"CONO": 3, "DIVI": 3, "YEA4": 4, "VONO": 8, "VSER": 3, "JRNO": 7}
    registry.add("GLS200MI", "GetVoucherHead", get_voucher_head, voucher, ["DIVI", "YEA4", "VONO"])
    registry.add("GLS200MI", "LstVoucherLines", lst_voucher_lines, voucher, ["DIVI", "YEA4", "VONO"])
    registry.add("GLS200MI", "LstVouchersByDt", lst_vouchers_by_dt, {"FRDT": 10, "TODT": 10, "DIVI": 3},
                 ["FRDT", "TODT"])  # fmt: skip
