"""Operator-facing reports and commands over the store: audit history, held postings, status, preview,
approval, replay and audit exports.

Everything here reads the store (and, for preview, replay and approval, the two vendors) without Dagster;
only launching a run goes through `connector_assets.defs.operations`, imported where it is used.
"""
