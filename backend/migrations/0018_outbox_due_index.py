"""The outbox's two single-column indexes become two partial ones: the pending messages and the dead ones.

The drain claims due pending messages oldest first (`status = 'pending' AND next_attempt_at <= now
ORDER BY next_attempt_at, id`), and the metrics scrape counts the pending and the dead messages;
nothing else looks messages up. `status` and `next_attempt_at` each had an index over every message
ever queued, sent ones included. `outbox_message_due` holds the pending messages only, in the claim's
order, and `outbox_message_dead` the few given up on. Placing an order queues a WeChat message per
local admin of the village, and each now writes one index entry fewer; marking a message sent writes
two fewer.

The scrape counted messages by status over the whole table, sent ones included: 130 ms per scrape
on a million messages on the bench machine. It now counts the pending and the dead ones from these
indexes (under a millisecond), and sent and dead messages are deleted after OUTBOX_KEEP_DAYS from
now on (`outbox.purge`).

Building the indexes reads the whole table once (under a second for a million messages on the bench
machine) and blocks writes to it meanwhile. The dropped names are those Tortoise gave the indexes on
either database; going back makes them again.
"""

from tortoise import fields, migrations
from tortoise.indexes import PartialIndex
from tortoise.migrations import operations as ops

from backend.migrations._state_only import StateOnlyAlterField

# (field as it is now, column, index name)
DROPPED = (
    (fields.CharField(default="pending", max_length=16), "status", "idx_outbox_mess_status_4cdf01"),
    (fields.DatetimeField(), "next_attempt_at", "idx_outbox_mess_next_at_9c52b3"),
)
DUE_INDEX = "outbox_message_due"
DEAD_INDEX = "outbox_message_dead"


class Migration(migrations.Migration):
    dependencies = [('models', '0017_newest_first_indexes')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='OutboxMessage',
            index=PartialIndex(fields=('next_attempt_at', 'id'), condition={'status': 'pending'}, name=DUE_INDEX),
        ),
        ops.AddIndex(
            model_name='OutboxMessage',
            index=PartialIndex(fields=('id',), condition={'status': 'dead'}, name=DEAD_INDEX),
        ),
        *(StateOnlyAlterField(model_name='OutboxMessage', name=column, field=field) for field, column, _ in DROPPED),
        ops.RunSQL(
            [f'DROP INDEX IF EXISTS "{name}"' for *_, name in DROPPED],
            reverse_sql=[f'CREATE INDEX IF NOT EXISTS "{name}" ON "outbox_message" ("{column}")'
                         for _, column, name in DROPPED],
        ),
    ]
