"""The order's life: one table of allowed transitions. Pure, no I/O.

基层下单 → 属地接单 → 省厅派单 / 揭榜 → 专家接单 → 上门服务 → 办结.

Each transition names the states it leaves from, the state it reaches, who
may make it (a role plus a relation to the order: the requester who owns it,
an admin whose region contains it, the assigned expert or team leader, the
expert who claimed it, or the system's own sweeper), and whether a reason is
required. Services ask `plan()` before writing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class OrderStatus(StrEnum):
    SUBMITTED = "submitted"  # 待受理
    RETURNED = "returned"  # 退回补充
    REJECTED = "rejected"  # 不予受理
    ACCEPTED = "accepted"  # 已受理，待派单
    DISPATCHED = "dispatched"  # 已派单，待专家接单
    PUBLISHED = "published"  # 揭榜中
    CLAIMED = "claimed"  # 已揭榜，待确认
    SCHEDULED = "scheduled"  # 专家已接单，待上门
    IN_SERVICE = "in_service"  # 服务中
    SERVICED = "serviced"  # 服务完成，待办结
    CLOSED = "closed"  # 已办结
    CANCELLED = "cancelled"  # 已撤销


STATUS_LABELS = {
    OrderStatus.SUBMITTED: "待受理",
    OrderStatus.RETURNED: "退回补充",
    OrderStatus.REJECTED: "不予受理",
    OrderStatus.ACCEPTED: "已受理，待派单",
    OrderStatus.DISPATCHED: "已派单，待专家接单",
    OrderStatus.PUBLISHED: "揭榜中",
    OrderStatus.CLAIMED: "已揭榜，待确认",
    OrderStatus.SCHEDULED: "专家已接单，待上门",
    OrderStatus.IN_SERVICE: "服务中",
    OrderStatus.SERVICED: "服务完成，待办结",
    OrderStatus.CLOSED: "已办结",
    OrderStatus.CANCELLED: "已撤销",
}

TERMINAL = frozenset({OrderStatus.REJECTED, OrderStatus.CLOSED, OrderStatus.CANCELLED})


class Action(StrEnum):
    RESUBMIT = "resubmit"
    ACCEPT = "accept"
    RETURN = "return"
    REJECT = "reject"
    DISPATCH = "dispatch"
    PUBLISH = "publish"
    CLAIM = "claim"
    CONFIRM_CLAIM = "confirm_claim"
    REOPEN_CLAIM = "reopen_claim"
    EXPERT_ACCEPT = "expert_accept"
    DECLINE = "decline"
    RECALL = "recall"
    ANSWER_TIMEOUT = "answer_timeout"
    CLAIM_EXPIRED = "claim_expired"
    START_SERVICE = "start_service"
    FINISH_SERVICE = "finish_service"
    REQUEST_REVISIT = "request_revisit"
    CONFIRM_SOLVED = "confirm_solved"
    ADMIN_CLOSE = "admin_close"
    CANCEL = "cancel"


ACTION_LABELS = {
    Action.RESUBMIT: "补充后重新提交",
    Action.ACCEPT: "受理",
    Action.RETURN: "退回补充",
    Action.REJECT: "不予受理",
    Action.DISPATCH: "派单",
    Action.PUBLISH: "发布揭榜",
    Action.CLAIM: "揭榜",
    Action.CONFIRM_CLAIM: "确认揭榜",
    Action.REOPEN_CLAIM: "重新发榜",
    Action.EXPERT_ACCEPT: "专家接单",
    Action.DECLINE: "专家谢绝",
    Action.RECALL: "撤回派单",
    Action.ANSWER_TIMEOUT: "专家超时未答复",
    Action.CLAIM_EXPIRED: "揭榜期满无人揭榜",
    Action.START_SERVICE: "开始服务",
    Action.FINISH_SERVICE: "服务完成",
    Action.REQUEST_REVISIT: "申请再次上门",
    Action.CONFIRM_SOLVED: "确认解决",
    Action.ADMIN_CLOSE: "管理员办结",
    Action.CANCEL: "撤销",
}


class Relation(StrEnum):
    """How the actor must stand to the order, beyond holding the role."""

    OWNER = "owner"  # the requester who placed it
    AREA_ADMIN = "area_admin"  # an admin whose region contains the order's village
    DISPATCHER = "dispatcher"  # a provincial admin of the area, or a local one where allowed
    ASSIGNEE = "assignee"  # the dispatched expert, or the leader of the dispatched team
    SERVING_EXPERT = "serving_expert"  # an expert named to go (after acceptance)
    BOARD_EXPERT = "board_expert"  # a verified expert whose field fits a published order
    CLAIMANT = "claimant"  # the expert who claimed it
    SYSTEM = "system"  # the sweeper and check-in, never a person through the API


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[OrderStatus]
    target: OrderStatus
    roles: frozenset[str]
    relation: Relation
    needs_reason: bool = False


def _t(action, sources, target, roles, relation, needs_reason=False) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), relation, needs_reason)


S = OrderStatus
ADMINS = {"local_admin", "province_admin"}
# Before anyone has set foot on site, the requester may withdraw the order.
CANCELLABLE = {S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.DISPATCHED, S.PUBLISHED, S.CLAIMED, S.SCHEDULED}

TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in [
        _t(Action.RESUBMIT, {S.RETURNED}, S.SUBMITTED, {"requester"}, Relation.OWNER),
        _t(Action.ACCEPT, {S.SUBMITTED}, S.ACCEPTED, ADMINS, Relation.AREA_ADMIN),
        _t(Action.RETURN, {S.SUBMITTED}, S.RETURNED, ADMINS, Relation.AREA_ADMIN, needs_reason=True),
        _t(Action.REJECT, {S.SUBMITTED}, S.REJECTED, ADMINS, Relation.AREA_ADMIN, needs_reason=True),
        _t(Action.DISPATCH, {S.ACCEPTED}, S.DISPATCHED, ADMINS, Relation.DISPATCHER),
        _t(Action.PUBLISH, {S.ACCEPTED}, S.PUBLISHED, ADMINS, Relation.DISPATCHER),
        _t(Action.CLAIM, {S.PUBLISHED}, S.CLAIMED, {"expert"}, Relation.BOARD_EXPERT),
        _t(Action.CONFIRM_CLAIM, {S.CLAIMED}, S.SCHEDULED, ADMINS, Relation.DISPATCHER),
        _t(Action.REOPEN_CLAIM, {S.CLAIMED}, S.PUBLISHED, ADMINS, Relation.DISPATCHER, needs_reason=True),
        _t(Action.EXPERT_ACCEPT, {S.DISPATCHED}, S.SCHEDULED, {"expert"}, Relation.ASSIGNEE),
        _t(Action.DECLINE, {S.DISPATCHED}, S.ACCEPTED, {"expert"}, Relation.ASSIGNEE, needs_reason=True),
        _t(Action.RECALL, {S.DISPATCHED, S.PUBLISHED}, S.ACCEPTED, ADMINS, Relation.DISPATCHER, needs_reason=True),
        _t(Action.ANSWER_TIMEOUT, {S.DISPATCHED}, S.ACCEPTED, {"system"}, Relation.SYSTEM),
        _t(Action.CLAIM_EXPIRED, {S.PUBLISHED}, S.ACCEPTED, {"system"}, Relation.SYSTEM),
        _t(Action.START_SERVICE, {S.SCHEDULED, S.SERVICED}, S.IN_SERVICE, {"system"}, Relation.SYSTEM),
        _t(Action.FINISH_SERVICE, {S.IN_SERVICE}, S.SERVICED, {"system"}, Relation.SYSTEM),
        _t(Action.REQUEST_REVISIT, {S.SERVICED}, S.SCHEDULED, {"requester"}, Relation.OWNER, needs_reason=True),
        _t(Action.CONFIRM_SOLVED, {S.SERVICED}, S.CLOSED, {"requester"}, Relation.OWNER),
        _t(Action.ADMIN_CLOSE, {S.SERVICED, S.IN_SERVICE, S.SCHEDULED}, S.CLOSED, ADMINS, Relation.AREA_ADMIN,
           needs_reason=True),
        _t(Action.CANCEL, CANCELLABLE, S.CANCELLED, {"requester"}, Relation.OWNER, needs_reason=True),
    ]
}


class FlowError(Exception):
    """A transition the table does not allow."""


class InvalidTransition(FlowError):
    def __init__(self, action: Action, current: OrderStatus) -> None:
        self.action = action
        self.current = current
        super().__init__(f"{action} not allowed from {current}")


class RoleNotAllowed(FlowError):
    def __init__(self, action: Action, role: str) -> None:
        self.action = action
        self.role = role
        super().__init__(f"{role} may not {action}")


class ReasonRequired(FlowError):
    def __init__(self, action: Action) -> None:
        self.action = action
        super().__init__(f"{action} needs a reason")


def plan(action: Action, current: OrderStatus | str, role: str, reason: str | None = None) -> Transition:
    """The transition for `action` from `current` by `role`, or the reason it is not allowed.

    The relation check (is this the owner, the area's admin, the assignee?)
    needs the order's facts and is the service's job; the table says which
    relation applies.
    """
    transition = TRANSITIONS[action]
    if role not in transition.roles:
        raise RoleNotAllowed(action, role)
    if OrderStatus(current) not in transition.sources:
        raise InvalidTransition(action, OrderStatus(current))
    if transition.needs_reason and not (reason and reason.strip()):
        raise ReasonRequired(action)
    return transition


def allowed_actions(current: OrderStatus | str, role: str) -> list[Action]:
    """Actions the table allows a role from a state (relations still to be checked)."""
    return list(_allowed(OrderStatus(current), role))


@lru_cache(maxsize=512)
def _allowed(status: OrderStatus, role: str) -> tuple[Action, ...]:
    # Every list asks this for each of its rows; the table never changes, so each answer is worked out once.
    return tuple(t.action for t in TRANSITIONS.values() if status in t.sources and role in t.roles)
