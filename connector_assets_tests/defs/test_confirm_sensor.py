"""The confirmation sensor records a submitted journal's document once CloudSuite shows it, on its partition."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import yaml

from connector_assets.cloudsuite.erp import erp_for
from connector_assets.cloudsuite.posting_outcomes import Submitted
from connector_assets.defs.cloudsuite.confirm_sensor import posting_confirmation_sensor
from connector_assets.defs.cloudsuite.posting_assets import POSTINGS_KEY
from connector_assets.defs.partitions import PAYROLLS, payroll_key
from connector_assets.defs.resources import CloudSuiteResource, ConnectionsResource, StoreResource
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.postings import POSTED, Postings
from connector_assets.store.vault import TokenVault
from connector_assets_tests.cloudsuite.conftest import make_connection
from connector_assets_tests.cloudsuite.posting_cases import (
    CONNECTION,
    PAYROLL,
    bonus_journal,
    let_m3_create_vouchers,
    request_for,
)
from connector_assets_tests.cloudsuite.posting_cases import service as posting_service
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox


def test_sensor_materializes_the_partition_once_the_document_exists(
    tmp_path: Path, ion_sandbox: IonSandbox
) -> None:
    """A posting left submitted by its run is confirmed by the next tick: posted, with document id and ERP key."""
    url = f"sqlite:///{tmp_path / 'connector.db'}"
    engine = upgrade(create_store_engine(url))
    key = SecretCipher.generate_key()
    connection = make_connection(ion_sandbox, "m3")
    (tmp_path / "mapping.yaml").write_text("{}\n")
    document = {
        "connections": [connection.model_dump(mode="json") | {"mapping_file": str(tmp_path / "mapping.yaml")}]
    }
    (tmp_path / "connections.yaml").write_text(yaml.safe_dump(document))

    erp = erp_for(connection, TokenVault(engine, SecretCipher([key])))
    submitted = posting_service(engine, erp, confirm_wait_s=0).post(request_for(bonus_journal()))
    assert isinstance(submitted, Submitted)
    let_m3_create_vouchers(ion_sandbox)

    store = StoreResource(database_url=url, encryption_key=key)
    connections = ConnectionsResource(path=str(tmp_path / "connections.yaml"))
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(PAYROLLS, [payroll_key(CONNECTION, PAYROLL, None)])
        resources = {"store": store, "connections": connections,
                     "cloudsuite": CloudSuiteResource(store=store, connections=connections)}  # fmt: skip
        with dg.build_sensor_context(instance=instance, resources=resources) as context:
            result = posting_confirmation_sensor(context)
    assert isinstance(result, dg.SensorResult)
    (event,) = result.asset_events or []
    assert isinstance(event, dg.AssetMaterialization) and event.asset_key == POSTINGS_KEY
    assert event.partition == payroll_key(CONNECTION, PAYROLL, None)
    row = Postings(engine).get(submitted.reference)
    assert row is not None and row.state == POSTED and row.document_id
    assert event.metadata["document_id"].value == row.document_id  # type: ignore[attr-defined]
    assert event.metadata["erp_key"].value == submitted.erp_key  # type: ignore[attr-defined]
