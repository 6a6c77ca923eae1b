"""Tortoise models, one module per aggregate. Tortoise discovers them from this package."""

from backend.models.audit import AuditRecord
from backend.models.expert import ExpertProfile
from backend.models.menu import ServiceCategory, ServiceItem
from backend.models.notification import Notification, OutboxMessage
from backend.models.order import Order, OrderAssignee, OrderItem
from backend.models.region import Region
from backend.models.team import ServiceTeam, TeamMember
from backend.models.user import RoleGrant, User
from backend.models.upload import Upload

__all__ = [
    "Notification",
    "OutboxMessage",
    "Upload",
    "Order",
    "OrderAssignee",
    "OrderItem",
    "ServiceTeam",
    "TeamMember",
    "AuditRecord", "ExpertProfile", "Region", "RoleGrant", "ServiceCategory", "ServiceItem", "User"]
