"""The work the Dagster assets, the `connector` commands and the demo share, outside the Dagster layer.

Journal preparation and the master-data snapshots live here: `defs/` turns their results into Dagster
outputs and metadata, `operations/` into operator reports. Services use the clients and the store; they
never import Dagster (or `defs/`), and the domain rooms (ledger/, mapping/, workforce/) never import them.
"""
