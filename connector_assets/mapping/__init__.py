"""Mapping rules: file format, precedence, vectorized resolution and validation against master data."""

from connector_assets.mapping.attributes import ATTRIBUTE_SCHEMA, employee_attributes
from connector_assets.mapping.check import MappingProblem, check_mapping
from connector_assets.mapping.errors import MappingError
from connector_assets.mapping.grouped import resolve_grouped
from connector_assets.mapping.model import MappingRules, Rule
from connector_assets.mapping.resolve import RESOLVED_SCHEMA, resolve
from connector_assets.mapping.rules import load_mapping_file, mapping_version, parse_mapping

__all__ = [
    "ATTRIBUTE_SCHEMA",
    "RESOLVED_SCHEMA",
    "MappingError",
    "MappingProblem",
    "MappingRules",
    "Rule",
    "check_mapping",
    "employee_attributes",
    "load_mapping_file",
    "mapping_version",
    "parse_mapping",
    "resolve",
    "resolve_grouped",
]
