"""Fixtures shared by every test room; the simulators' fixtures live in connector_assets_tests/fixtures/."""

pytest_plugins = [
    "connector_assets_tests.fixtures.database",
    "connector_assets_tests.fixtures.gusto_sandbox",
    "connector_assets_tests.fixtures.ion_sandbox",
]
