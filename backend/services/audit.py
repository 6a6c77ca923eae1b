"""Reading the audit trail: admins of the area, read-only. No API route writes or deletes audit records."""

from __future__ import annotations

from backend.api import pagination
from backend.domain import regions
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord

MAX_PAGE = 50


async def trail(claims: AccessClaims, subject_type: str | None, subject_id: str | None, cursor: str | None,
                limit: int) -> dict:
    """Audit records of the caller's area, newest first, optionally for one subject."""
    query = AuditRecord.filter(region_code__startswith=regions.prefix_of(claims.region_code))
    if subject_type:
        query = query.filter(subject_type=subject_type)
    if subject_id:
        query = query.filter(subject_id=subject_id)
    after = pagination.decode_cursor("a", cursor)
    if after is not None:
        query = query.filter(id__lt=after)
    rows = await query.order_by("-id").limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [
            {"id": r.id, "action": r.action, "subject_type": r.subject_type, "subject_id": r.subject_id,
             "actor_id": r.actor_id, "actor_role": r.actor_role, "from_state": r.from_state, "to_state": r.to_state,
             "reason": r.reason, "detail": r.detail, "region_code": r.region_code, "at": r.created_at.isoformat()}
            for r in rows
        ],
        "next_cursor": pagination.encode_cursor("a", rows[-1].id) if more and rows else None,
    }
