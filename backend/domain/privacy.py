"""Masking personal data for people who do not need to see it."""

from __future__ import annotations


def mask_phone(phone: str | None) -> str | None:
    """138****1234: enough to recognise one's own number, not enough to call it."""
    if not phone:
        return None
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"
