import pytest

from backend.domain.order_flow import (
    TRANSITIONS,
    Action,
    InvalidTransition,
    OrderStatus,
    ReasonRequired,
    RoleNotAllowed,
    allowed_actions,
    plan,
)

S = OrderStatus


def test_a_county_admin_accepts_a_submitted_order():
    assert plan(Action.ACCEPT, S.SUBMITTED, "local_admin").target == S.ACCEPTED


def test_a_rejected_order_cannot_be_dispatched():
    with pytest.raises(InvalidTransition) as refused:
        plan(Action.DISPATCH, S.REJECTED, "province_admin")
    assert refused.value.current == S.REJECTED


def test_an_order_cannot_be_dispatched_before_the_county_accepts_it():
    with pytest.raises(InvalidTransition):
        plan(Action.DISPATCH, S.SUBMITTED, "province_admin")


def test_returning_rejecting_declining_and_cancelling_need_a_reason():
    cases = [(Action.RETURN, S.SUBMITTED, "local_admin"), (Action.REJECT, S.SUBMITTED, "local_admin"),
             (Action.DECLINE, S.DISPATCHED, "expert"), (Action.CANCEL, S.SUBMITTED, "requester")]
    for action, state, role in cases:
        with pytest.raises(ReasonRequired):
            plan(action, state, role, reason="  ")
        assert plan(action, state, role, reason="信息不全").action == action


def test_a_requester_cannot_accept_their_own_order():
    with pytest.raises(RoleNotAllowed):
        plan(Action.ACCEPT, S.SUBMITTED, "requester")


def test_an_expert_who_declines_puts_the_order_back_for_dispatch():
    assert plan(Action.DECLINE, S.DISPATCHED, "expert", reason="时间冲突").target == S.ACCEPTED


def test_a_returned_order_goes_back_to_the_county_when_resubmitted():
    assert plan(Action.RESUBMIT, S.RETURNED, "requester").target == S.SUBMITTED


def test_a_claim_is_confirmed_into_a_scheduled_visit_or_reopened_onto_the_board():
    assert plan(Action.CONFIRM_CLAIM, S.CLAIMED, "province_admin").target == S.SCHEDULED
    assert plan(Action.REOPEN_CLAIM, S.CLAIMED, "province_admin", reason="专业不符").target == S.PUBLISHED


def test_the_requester_may_cancel_before_any_visit_but_not_once_service_began():
    assert plan(Action.CANCEL, S.SCHEDULED, "requester", reason="问题已自行解决").target == S.CANCELLED
    for state in (S.IN_SERVICE, S.SERVICED, S.CLOSED):
        with pytest.raises(InvalidTransition):
            plan(Action.CANCEL, state, "requester", reason="不需要了")


def test_only_the_system_times_out_an_unanswered_dispatch():
    assert plan(Action.ANSWER_TIMEOUT, S.DISPATCHED, "system").target == S.ACCEPTED
    with pytest.raises(RoleNotAllowed):
        plan(Action.ANSWER_TIMEOUT, S.DISPATCHED, "province_admin")


def test_terminal_states_allow_nothing_to_anyone():
    for state in (S.REJECTED, S.CLOSED, S.CANCELLED):
        for role in ("requester", "expert", "local_admin", "province_admin", "system"):
            assert allowed_actions(state, role) == []


def test_every_state_but_the_terminal_ones_has_a_way_forward():
    reachable_from = {source for t in TRANSITIONS.values() for source in t.sources}
    assert set(OrderStatus) - reachable_from == {S.REJECTED, S.CLOSED, S.CANCELLED}


@pytest.mark.parametrize("action", list(Action))
def test_every_action_is_refused_from_a_state_it_does_not_leave(action):
    transition = TRANSITIONS[action]
    role = next(iter(transition.roles))
    outside = [state for state in OrderStatus if state not in transition.sources]
    for state in outside:
        with pytest.raises(InvalidTransition):
            plan(action, state, role, reason="原因")


def test_every_event_opens_a_page_in_the_mini_program():
    from pathlib import Path

    from backend.services.notifications import Event, page_for

    for event in Event:
        assert page_for(event, 7).endswith("?id=7")
    requester_page = page_for(Event.ORDER_ACCEPTED, 7).split("?")[0]
    assert (Path(__file__).resolve().parents[2] / "miniprogram" / f"{requester_page}.js").exists()
