"""What the demo's CloudSuite holds per account, read from the ION simulator: the itemized tax and benefit lines."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from connector_assets.demo.environment import Tenant, itemized_sections, mapping_document


def _cents(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


def posted_by_account(tenant: Tenant) -> dict[str, int]:
    """Net signed cents per account over every posted document (debits positive, credits negative)."""
    net: dict[str, int] = defaultdict(int)
    if tenant.erp == "fsm":
        for posted in tenant.ion.fsm.posted():
            net[posted.account] += _cents(posted.amount)
    elif tenant.erp == "m3":
        for voucher in tenant.ion.vouchers():
            for line in voucher.lines:
                net[line.dims[0]] += _cents(line.amount)
    else:
        for row in tenant.ion.journals():
            net[row.account] += _cents(row.amount)
    return dict(net)


def itemized_accounts(tenant: Tenant) -> list[tuple[str, str, int]]:
    """(account, name, net cents) of every tax, benefit, garnishment and owner's draw account the itemized
    mapping names that holds a balance, in account order."""
    sections: dict[str, Any] = itemized_sections(tenant.world)
    taxes = sections["taxes"]
    named = [a for v in taxes["by_name"].values() for a in v.values()]
    named += [*taxes["default"].values(), taxes["receivable"]]
    named += [a for v in sections["benefits"].values() for a in v.values()]
    credits = mapping_document(tenant.world, itemized=True)["credits"]
    named += [credits["garnishments"], credits["owners_draw"]]
    names = {a.account: a.name for a in tenant.world.gl_accounts}
    net = posted_by_account(tenant)
    return [(a, names.get(a, ""), net[a]) for a in sorted(set(named)) if net.get(a)]
