"""The single Definitions object: assets, checks, jobs, sensors, schedules and resources."""

import dagster as dg

from connector_assets.defs.cloudsuite.accrual_assets import payroll_accrual
from connector_assets.defs.cloudsuite.confirm_sensor import posting_confirmation_sensor
from connector_assets.defs.cloudsuite.master_data_assets import master_data
from connector_assets.defs.cloudsuite.posting_assets import journal_postings
from connector_assets.defs.cloudsuite.release import release_sensor, with_release
from connector_assets.defs.contractors.assets import contractor_journal, contractor_payments
from connector_assets.defs.contractors.checks import contractor_journal_checks
from connector_assets.defs.contractors.posting import contractor_postings
from connector_assets.defs.gusto.assets import departments, employees, payrolls
from connector_assets.defs.gusto.grant import gusto_grant
from connector_assets.defs.gusto.polling import gusto_poll_job
from connector_assets.defs.jobs import (
    accrual_job,
    connection_sync_job,
    contractor_payment_job,
    crosscheck_job,
    headcount_job,
    master_data_job,
    payroll_job,
    workforce_job,
)
from connector_assets.defs.ledger.assets import journal_lines, mapping
from connector_assets.defs.ledger.checks import journal_checks
from connector_assets.defs.reports.assets import headcount_reconciliation
from connector_assets.defs.reports.crosscheck import gusto_crosscheck
from connector_assets.defs.resources import CloudSuiteResource, ConnectionsResource, GustoResource, StoreResource
from connector_assets.defs.schedules import (
    accrual_monthly,
    crosscheck_monthly,
    gusto_fallback_poll,
    headcount_monthly,
    master_data_hourly,
    workforce_daily,
)
from connector_assets.defs.sensors import gusto_inbox_sensor
from connector_assets.defs.workforce.assets import changes, cloudsuite_employees
from connector_assets.envfile import load_env_file
from connector_assets.settings import CONNECTIONS_ENV, DEFAULT_CONNECTIONS_FILE

load_env_file()  # `CONNECTOR_ENV_FILE` (the demo's world, say) before the resources read the environment

store = StoreResource(
    database_url=dg.EnvVar("CONNECTOR_DATABASE_URL").get_value(),
    encryption_key=dg.EnvVar("CONNECTOR_ENCRYPTION_KEY"),
)
connections = ConnectionsResource(path=dg.EnvVar(CONNECTIONS_ENV).get_value() or DEFAULT_CONNECTIONS_FILE)

defs = dg.Definitions(
    assets=[
        master_data,
        departments,
        employees,
        changes,
        cloudsuite_employees,
        mapping,
        payrolls,
        journal_lines,
        with_release(journal_postings),
        headcount_reconciliation,
        payroll_accrual,
        gusto_crosscheck,
        gusto_grant,
        contractor_payments,
        contractor_journal,
        with_release(contractor_postings),
    ],
    asset_checks=[*journal_checks, contractor_journal_checks],
    jobs=[
        payroll_job,
        master_data_job,
        workforce_job,
        connection_sync_job,
        headcount_job,
        gusto_poll_job,
        contractor_payment_job,
        accrual_job,
        crosscheck_job,
    ],
    sensors=[gusto_inbox_sensor, posting_confirmation_sensor, release_sensor],
    # Steps of one run share a process: a payroll run is small, and a process per step costs more than
    # the work on a 2-core host. Scale out across runs (queued coordinator) or with the Celery executor.
    executor=dg.in_process_executor,
    schedules=[
        master_data_hourly,
        workforce_daily,
        headcount_monthly,
        gusto_fallback_poll,
        accrual_monthly,
        crosscheck_monthly,
    ],
    resources={
        # Pickles under $DAGSTER_HOME/storage; shared by every run process on this host (and by Celery
        # workers that mount it). Cross-partition data (master data, employees) lives in the store instead.
        "io_manager": dg.FilesystemIOManager(),
        "store": store,
        "connections": connections,
        "gusto": GustoResource(store=store, connections=connections),
        "cloudsuite": CloudSuiteResource(store=store, connections=connections),
    },
)
