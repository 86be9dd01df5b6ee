"""Invariant 8 read from what CloudSuite holds: per Gusto payroll family (original, reversals, corrections), the
GL wages equal Gusto's gross pay and each clearing account carries exactly the bank figure it clears. The demo's
summary reports the same check, so the product owns it."""

from connector_assets.demo.tie_out import FIGURES, family_differences

__all__ = ["FIGURES", "family_differences"]
