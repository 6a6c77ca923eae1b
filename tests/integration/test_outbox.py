"""The outbox: WeChat messages queued with the transition, sent later, retried or given up on."""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from prometheus_client import REGISTRY
from tortoise.transactions import in_transaction

from backend.models import Notification, OutboxMessage, User
from backend.services import outbox
from backend.services.notifications import Event, notify
from backend.services.users import find_or_register

SUBSCRIBE = "/cgi-bin/message/subscribe/send"


@pytest.fixture
def wechat(resources):
    resources.fake_wechat.reset()
    return resources.fake_wechat


async def person(name: str) -> User:
    return await find_or_register(f"fake-openid-{name}", None)


async def tell(resources, users, event=Event.ORDER_ACCEPTED, *, dedupe_key=None, using_db=None) -> int:
    return await notify(
        [user.id for user in users], event, order_id=42, body="您的需求已受理，正在为您安排专家",
        data={"thing1": "果树病虫害诊断", "phrase2": "已受理"}, page="pages/order/detail/index?id=42",
        dedupe_key=dedupe_key, using_db=using_db, settings=resources.settings,
    )


def later(minutes: float) -> datetime:
    return datetime.now(timezone.utc) + timedelta(minutes=minutes)


async def test_a_queued_message_is_sent_with_its_template_and_marked_sent(resources, wechat):
    farmer = await person("outbox-farmer")
    await tell(resources, [farmer])

    result = await outbox.drain(resources)

    assert result["sent"] == 1
    message = await OutboxMessage.get()
    assert message.status == "sent"
    assert message.attempts == 1
    assert message.sent_at is not None
    [sent] = wechat.messages
    assert sent["touser"] == farmer.openid
    assert sent["template_id"] == resources.settings.template_order_update
    assert sent["data"] == {"thing1": {"value": "果树病虫害诊断"}, "phrase2": {"value": "已受理"}}
    assert sent["page"] == "pages/order/detail/index?id=42"


async def test_a_reminder_uses_the_reminder_template(resources, wechat):
    admin = await person("outbox-admin")
    await tell(resources, [admin], Event.REMINDER)
    await outbox.drain(resources)
    assert [m["template_id"] for m in wechat.messages] == [resources.settings.template_reminder]


async def test_a_busy_wechat_leaves_the_message_pending_and_a_later_drain_sends_it(resources, wechat):
    farmer = await person("patient-farmer")
    await tell(resources, [farmer])
    queued = await OutboxMessage.get()
    wechat.fail_next(SUBSCRIBE, -1)

    first = await outbox.drain(resources)

    assert first["retried"] == 1
    message = await OutboxMessage.get()
    assert message.status == "pending"
    assert message.attempts == 1
    assert message.last_error == "wechat_unavailable"
    assert message.next_attempt_at >= queued.next_attempt_at + timedelta(seconds=30)
    assert wechat.messages == []
    assert (await outbox.drain(resources))["claimed"] == 0  # not due yet

    second = await outbox.drain(resources, now=later(2))

    assert second["sent"] == 1
    message = await OutboxMessage.get()
    assert (message.status, message.attempts) == ("sent", 2)
    assert len(wechat.messages) == 1


async def test_retries_back_off_exponentially_and_never_wait_more_than_an_hour():
    assert outbox.backoff(1) == timedelta(seconds=30)
    assert outbox.backoff(2) == timedelta(seconds=60)
    assert outbox.backoff(4) == timedelta(seconds=240)
    assert outbox.backoff(20) == timedelta(hours=1)


async def test_a_message_the_user_did_not_subscribe_to_goes_dead_at_once(resources, wechat):
    # The fake answers 43101 for openids starting with "fail-".
    refuser = await find_or_register("fail-refuser", None)
    await tell(resources, [refuser])

    result = await outbox.drain(resources)

    assert result["dead"] == 1
    message = await OutboxMessage.get()
    assert message.status == "dead"
    assert message.last_error == "wechat_message_refused"
    assert (await outbox.drain(resources, now=later(24 * 60)))["claimed"] == 0
    assert wechat.calls(SUBSCRIBE) == 1


def deliveries(outcome: str) -> float:
    return REGISTRY.get_sample_value("zjfw_outbox_deliveries_total", {"outcome": outcome}) or 0.0


async def test_each_delivery_is_counted_by_its_outcome(resources, wechat):
    await tell(resources, [await person("counted-1"), await person("counted-2"),
                           await find_or_register("fail-counted", None)])
    before = {outcome: deliveries(outcome) for outcome in ("sent", "retried", "dead")}

    await outbox.drain(resources)

    assert {outcome: deliveries(outcome) - before[outcome] for outcome in before} == \
        {"sent": 2, "retried": 0, "dead": 1}


async def test_a_message_that_keeps_failing_goes_dead_after_the_last_allowed_attempt(resources, wechat):
    farmer = await person("unlucky-farmer")
    await tell(resources, [farmer])
    attempts = resources.settings.outbox_max_attempts
    wechat.fail_next(SUBSCRIBE, 503, times=attempts)

    for round_ in range(attempts - 1):
        assert (await outbox.drain(resources, now=later(90 * (round_ + 1))))["retried"] == 1
    assert (await OutboxMessage.get()).status == "pending"
    assert (await outbox.drain(resources, now=later(90 * attempts)))["dead"] == 1

    message = await OutboxMessage.get()
    assert (message.status, message.attempts) == ("dead", attempts)
    assert wechat.messages == []


async def test_a_malformed_message_goes_dead_instead_of_breaking_the_drain(resources, wechat):
    await OutboxMessage.create(payload={"data": {}}, next_attempt_at=later(-1))
    farmer = await person("bystander-farmer")
    await tell(resources, [farmer])

    result = await outbox.drain(resources)

    assert (result["dead"], result["sent"]) == (1, 1)
    assert await OutboxMessage.filter(status="dead", last_error="invalid_payload").count() == 1


async def test_a_notification_inside_a_transaction_that_rolls_back_queues_nothing(resources, wechat):
    farmer = await person("rolled-back-farmer")
    with pytest.raises(RuntimeError):
        async with in_transaction() as conn:
            await tell(resources, [farmer], using_db=conn)
            raise RuntimeError("the transition failed after notifying")

    assert await Notification.all().count() == 0
    assert await OutboxMessage.all().count() == 0
    await outbox.drain(resources)
    assert wechat.messages == []


async def test_a_notification_inside_a_committed_transaction_is_queued_and_sent(resources, wechat):
    farmer = await person("committed-farmer")
    async with in_transaction() as conn:
        await tell(resources, [farmer], using_db=conn)

    assert await Notification.filter(user_id=farmer.id).count() == 1
    assert (await outbox.drain(resources))["sent"] == 1


async def test_the_same_dedupe_key_does_not_tell_the_same_person_twice(resources, wechat):
    farmer, neighbour = await person("dedupe-farmer"), await person("dedupe-neighbour")

    assert await tell(resources, [farmer], Event.REMINDER, dedupe_key="order:42:remind") == 1
    assert await tell(resources, [farmer, neighbour], Event.REMINDER, dedupe_key="order:42:remind") == 1
    assert await tell(resources, [farmer], Event.REMINDER, dedupe_key="order:42:remind") == 0

    assert await Notification.filter(user_id=farmer.id).count() == 1
    assert await Notification.filter(user_id=neighbour.id).count() == 1
    assert await OutboxMessage.all().count() == 2


async def test_a_person_without_wechat_gets_a_message_centre_entry_but_no_wechat_message(resources, wechat):
    offline = await User.create(openid=None, name="线下登记的村民")
    await tell(resources, [offline])

    assert await Notification.filter(user_id=offline.id).count() == 1
    assert await OutboxMessage.all().count() == 0


@pytest.mark.postgres
async def test_two_drains_running_at_once_send_each_message_exactly_once(resources, wechat):
    crowd = [await person(f"crowd-{i}") for i in range(24)]
    await tell(resources, crowd)

    async def worker() -> int:
        sent = 0
        while True:
            result = await outbox.drain(resources, batch=4)
            sent += result["sent"]
            if result["claimed"] == 0:
                return sent

    totals = await asyncio.gather(worker(), worker(), worker())

    assert sum(totals) == 24
    recipients = [m["touser"] for m in wechat.messages]
    assert sorted(recipients) == sorted(p.openid for p in crowd)
    assert await OutboxMessage.filter(status="sent").count() == 24


async def _age(message_ids, days: float) -> None:
    await OutboxMessage.filter(id__in=list(message_ids)).update(
        created_at=datetime.now(timezone.utc) - timedelta(days=days))


async def test_sent_and_dead_messages_go_after_the_kept_days_and_pending_ones_stay(resources, wechat):
    crowd = [await person(f"kept-{i}") for i in range(5)]
    await tell(resources, crowd)
    old_sent, old_sent_2, old_dead, old_pending, recent_sent = [m.id for m in await OutboxMessage.all().order_by("id")]
    await OutboxMessage.filter(id__in=[old_sent, old_sent_2, recent_sent]).update(status="sent")
    await OutboxMessage.filter(id=old_dead).update(status="dead")
    await _age([old_sent, old_sent_2, old_dead, old_pending], days=31)
    await _age([recent_sent], days=29)

    deleted = await outbox.purge(resources.settings.with_overrides(outbox_keep_days=30))

    assert deleted == 3
    assert set(await OutboxMessage.all().values_list("id", flat=True)) == {old_pending, recent_sent}
    assert await Notification.all().count() == 5  # the message centre keeps what people were told


@pytest.mark.parametrize("old, batch", [(7, 2), (4, 2), (1, 5)])
async def test_purge_deletes_batch_after_batch_until_none_is_left(resources, wechat, old, batch):
    await tell(resources, [await person(f"batch-{i}") for i in range(old + 1)])
    ids = [m.id for m in await OutboxMessage.all().order_by("id")]
    await OutboxMessage.filter(id__in=ids[:old]).update(status="sent")
    await _age(ids, days=40)

    assert await outbox.purge(resources.settings, batch=batch) == old
    assert await OutboxMessage.all().values_list("id", flat=True) == [ids[-1]]  # the pending one


async def test_a_person_told_before_a_purge_is_not_told_again_by_the_same_event(resources, wechat):
    farmer = await person("purged")
    assert await tell(resources, [farmer], dedupe_key="rate:77") == 1
    await outbox.drain(resources)
    assert await outbox.purge(resources.settings, now=later(60 * 24 * (resources.settings.outbox_keep_days + 1))) == 1

    assert await tell(resources, [farmer], dedupe_key="rate:77") == 0
    assert await OutboxMessage.all().count() == 0
