"""Masking of identity numbers and phones wherever a person might read them (logs, emails, reports)."""

from __future__ import annotations

import re
import unicodedata

# An ID number (18 or the old 15 digits) or a mainland mobile number typed inside free text, not part of a
# longer run of digits or letters (a USCC, an order number). ASCII digits: NFKC-fold full-width ones first.
PII_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:(?P<id>\d{17}[\dXx]|\d{15})|1[3-9]\d{9})(?![0-9A-Za-z])", re.ASCII)
_MASKED = re.compile(r"\d{3,6}\*{4,}[\dXx]{4}")  # what mask_id and mask_phone leave of one


def mask_id(value: object) -> str:
    """450102199001011234 -> 450102********1234 (region and last four stay, for a clerk to match)."""
    s = "" if value is None else str(value)
    return s[:6] + "*" * (len(s) - 10) + s[-4:] if len(s) >= 12 else "*" * len(s)


def mask_phone(value: object) -> str:
    """13812345678 -> 138****5678."""
    s = "" if value is None else str(value)
    return s[:3] + "*" * (len(s) - 7) + s[-4:] if len(s) >= 9 else "*" * len(s)


def mask_text(value: object) -> str:
    """Free text with every ID- or mobile-shaped number in it masked: 电话13812345678 -> 电话138****5678
    (full-width digits are folded first, so １３８… is masked too)."""
    s = "" if value is None else unicodedata.normalize("NFKC", str(value))
    return PII_IN_TEXT.sub(lambda m: mask_id(m[0]) if m["id"] else mask_phone(m[0]), s)


def masked_in(text: str) -> list[str]:
    """The masked numbers in a text `mask_text` returned, to name them in a reason."""
    return _MASKED.findall(text)


# Fields whose values are shown masked; title/content are the free text of the highlights form.
MASKERS = {"id_number": mask_id, "phone": mask_phone, "title": mask_text, "content": mask_text}


def mask(field: str, value: object) -> str:
    """A cell as a person may see it: the field's masker, else the text as typed unless a number shaped like an
    ID or a mobile sits in it (a phone shifted into 填报日期 by a stray comma is still a phone)."""
    masker = MASKERS.get(field)
    if value is None:
        return ""
    if masker:
        return masker(value)
    s = str(value)
    return mask_text(s) if PII_IN_TEXT.search(unicodedata.normalize("NFKC", s)) else s
