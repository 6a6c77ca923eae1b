"""Tortoise models, one module per aggregate. Tortoise discovers them from this package."""

from backend.models.audit import AuditRecord
from backend.models.certificate import Certificate
from backend.models.expert import ExpertProfile
from backend.models.feedback import CaseStory, FollowUp, Rating
from backend.models.import_job import ImportJob
from backend.models.menu import ServiceCategory, ServiceItem
from backend.models.notification import Notification, OutboxMessage
from backend.models.offline import OfflineScan
from backend.models.order import Order, OrderAssignee, OrderItem
from backend.models.region import Region
from backend.models.team import ServiceTeam, TeamMember
from backend.models.upload import Upload
from backend.models.user import RoleGrant, User
from backend.models.visit import BaseAttendance, LedgerEntry, ServiceBase, ServiceLog, Visit
from backend.models.achievement import Achievement, AchievementOrder
from backend.models.search import SearchCursor, SearchDocument, SearchPosting

__all__ = [
    "AuditRecord",
    "BaseAttendance",
    "Certificate",
    "CaseStory",
    "ExpertProfile",
    "FollowUp",
    "ImportJob",
    "LedgerEntry",
    "Notification",
    "OfflineScan",
    "Order",
    "OrderAssignee",
    "OrderItem",
    "OutboxMessage",
    "Rating",
    "Region",
    "RoleGrant",
    "ServiceBase",
    "ServiceCategory",
    "ServiceItem",
    "ServiceLog",
    "ServiceTeam",
    "TeamMember",
    "Upload",
    "User",
    "Visit",
    "Achievement",
    "AchievementOrder",
    "SearchCursor",
    "SearchDocument",
    "SearchPosting",
]
