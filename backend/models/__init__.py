"""Tortoise models, one module per aggregate. Tortoise discovers them from this package."""

from backend.models.audit import AuditRecord
from backend.models.expert import ExpertProfile
from backend.models.menu import ServiceCategory, ServiceItem
from backend.models.region import Region
from backend.models.user import RoleGrant, User

__all__ = ["AuditRecord", "ExpertProfile", "Region", "RoleGrant", "ServiceCategory", "ServiceItem", "User"]
