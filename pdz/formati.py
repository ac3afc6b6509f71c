"""Dates as the offices write them, on pages, in CSV files and in messages."""

from django.utils import timezone
from django.utils.formats import date_format


def data_ora(value):
    """``31/12/2026 18:30`` in local time; "" for no value."""
    return date_format(timezone.localtime(value), "d/m/Y H:i") if value else ""


def giorno(value):
    """``31/12/2026`` of a date, or of a moment in local time; "" for no value."""
    if not value:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)
    return date_format(value, "d/m/Y")
