from __future__ import annotations

from pydantic import BaseModel, Field

CODE = r"^[a-z][a-z0-9_]{1,47}$"


class CategoryCreate(BaseModel):
    code: str = Field(pattern=CODE, max_length=32)
    name: str = Field(min_length=2, max_length=32)
    description: str = Field(default="", max_length=200)
    icon: str = Field(default="", max_length=32)
    sort_order: int = Field(default=0, ge=0, le=10_000)


class CategoryUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=2, max_length=32)
    description: str | None = Field(default=None, max_length=200)
    icon: str | None = Field(default=None, max_length=32)
    sort_order: int | None = Field(default=None, ge=0, le=10_000)
    is_active: bool | None = None


class ItemCreate(BaseModel):
    category_code: str = Field(pattern=CODE, max_length=32)
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=2, max_length=48)
    description: str = Field(default="", max_length=300)
    typical_hours: float = Field(default=4.0, gt=0, le=72)
    sort_order: int = Field(default=0, ge=0, le=10_000)


class ItemUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=2, max_length=48)
    description: str | None = Field(default=None, max_length=300)
    typical_hours: float | None = Field(default=None, gt=0, le=72)
    sort_order: int | None = Field(default=None, ge=0, le=10_000)
