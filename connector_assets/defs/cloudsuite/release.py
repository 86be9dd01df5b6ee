"""Release in one step: once a held journal is rebuilt and its checks pass, the posting follows.

Materializing a `ledger/journal_lines` (payroll) or `ledger/contractor_journal` (a day's contractor payments)
partition from the UI, or a run that rebuilt only the journal, does not include the posting. Declarative
automation requests the posting asset (`cloudsuite/journal_postings`, `cloudsuite/contractor_postings`) for that
partition when the journal was updated by a run that did not target the posting, and every blocking check on it
passed. Runs that already include the posting (the payroll and contractor jobs, `connector replay`) are left
alone.
"""

from __future__ import annotations

import dagster as dg

POSTINGS = dg.AssetKey(["cloudsuite", "journal_postings"])
CONTRACTOR_POSTINGS = dg.AssetKey(["cloudsuite", "contractor_postings"])
RELEASED = (POSTINGS, CONTRACTOR_POSTINGS)  # the posting assets that follow their journal's release

POST_WHEN_RELEASED = (
    dg.AutomationCondition.any_deps_updated().since_last_handled()
    & dg.AutomationCondition.all_deps_blocking_checks_passed()
    & ~dg.AutomationCondition.any_deps_missing()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("post once the rebuilt journal passes its checks")


def with_release(postings: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """The posting asset with the release condition attached."""
    return postings.map_asset_specs(
        lambda spec: (
            spec.replace_attributes(automation_condition=POST_WHEN_RELEASED) if spec.key in RELEASED else spec
        )
    )


release_sensor = dg.AutomationConditionSensorDefinition(
    "posting_follows_release",
    target=dg.AssetSelection.assets(*RELEASED),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=15,
    description="Posts a held payroll or contractor day once its journal was rebuilt (e.g. materialized in the UI) "
    "and passes its checks.",
)
