"""Contractor payments: read per payment date, journal, blocking checks, posting."""
