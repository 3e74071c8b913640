"""Masking of identity numbers and phones wherever a person might read them (logs, emails, reports)."""

from __future__ import annotations


def mask_id(value: object) -> str:
    """450102199001011234 -> 450102********1234 (region and last four stay, for a clerk to match)."""
    s = "" if value is None else str(value)
    return s[:6] + "*" * (len(s) - 10) + s[-4:] if len(s) >= 12 else "*" * len(s)


def mask_phone(value: object) -> str:
    """13812345678 -> 138****5678."""
    s = "" if value is None else str(value)
    return s[:3] + "*" * (len(s) - 7) + s[-4:] if len(s) >= 9 else "*" * len(s)


MASKERS = {"id_number": mask_id, "phone": mask_phone}


def mask(field: str, value: object) -> str:
    masker = MASKERS.get(field)
    if value is None:
        return ""
    return masker(value) if masker else str(value)
