"""Writes of the tenants app: household import, tenant accounts and technical requests."""

from tenants.services.imports import HOUSEHOLD_COLUMNS, households_import

__all__ = ["HOUSEHOLD_COLUMNS", "households_import"]
