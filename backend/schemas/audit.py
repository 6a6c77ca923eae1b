from __future__ import annotations

from pydantic import BaseModel, Field


class AuditQuery(BaseModel):
    subject_type: str | None = Field(default=None, max_length=32)
    subject_id: str | None = Field(default=None, max_length=64)
    cursor: str | None = Field(default=None, max_length=64)
    limit: int = Field(default=20, ge=1, le=50)
