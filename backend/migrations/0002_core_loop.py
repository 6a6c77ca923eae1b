from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField(db_index=True)),
                ('event', fields.CharField(max_length=32)),
                ('title', fields.CharField(max_length=64)),
                ('body', fields.CharField(default='', max_length=500)),
                ('order_id', fields.BigIntField(null=True, db_index=True)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('dedupe_key', fields.CharField(null=True, unique=True, max_length=160)),
            ],
            options={'table': 'notification', 'app': 'models', 'pk_attr': 'id', 'table_description': "One entry in a person's message centre, about something that happened to an order they take part in."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(default='wechat_subscribe', max_length=32)),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(default='pending', db_index=True, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('dedupe_key', fields.CharField(null=True, unique=True, max_length=160)),
            ],
            options={'table': 'outbox_message', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A message to another system, queued in the transaction that caused it and sent later by the outbox drain.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceTeam',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=64)),
                ('field', fields.CharField(db_index=True, max_length=32)),
                ('region_code', fields.CharField(db_index=True, max_length=12)),
                ('leader', fields.ForeignKeyField('models.ExpertProfile', source_field='leader_id', db_constraint=True, to_field='id', related_name='led_teams', on_delete=OnDelete.RESTRICT)),
                ('term_start', fields.DateField()),
                ('term_end', fields.DateField()),
                ('created_by_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'service_team', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A 专家服务团 led by its leader (团长负责制) for a three-year term.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Order',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('requester', fields.ForeignKeyField('models.User', source_field='requester_id', db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.RESTRICT)),
                ('on_behalf_of', fields.CharField(null=True, max_length=32)),
                ('status', fields.CharField(default='submitted', db_index=True, max_length=16)),
                ('field', fields.CharField(db_index=True, description='主要领域（首个服务项目的领域）', max_length=32)),
                ('description', fields.TextField(unique=False)),
                ('region_code', fields.CharField(db_index=True, description='村（社区）12 位区划代码', max_length=12)),
                ('address', fields.CharField(max_length=200)),
                ('latitude', fields.FloatField()),
                ('longitude', fields.FloatField()),
                ('contact_name', fields.CharField(default='', max_length=32)),
                ('contact_phone', fields.CharField(max_length=20)),
                ('window_start', fields.DateField()),
                ('window_end', fields.DateField()),
                ('photo_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('expert', fields.ForeignKeyField('models.ExpertProfile', source_field='expert_id', null=True, db_constraint=True, to_field='id', related_name='dispatched_orders', on_delete=OnDelete.SET_NULL)),
                ('team', fields.ForeignKeyField('models.ServiceTeam', source_field='team_id', null=True, db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.SET_NULL)),
                ('claim_deadline', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(null=True, db_index=True, description='当前环节的办理期限', auto_now=False, auto_now_add=False)),
                ('reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('escalated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_reason', fields.CharField(null=True, max_length=300)),
                ('submitted_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('dispatched_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('scheduled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('first_visit_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('agreed_visit_at', fields.DatetimeField(null=True, description='专家与需求方约定的上门时间', auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=1)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'service_order', 'app': 'models', 'indexes': [Index(fields=['status', 'region_code'])], 'pk_attr': 'id', 'table_description': "A requester's order for expert help (需求单), from 下单 to 办结."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrderAssignee',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='assignees', on_delete=OnDelete.CASCADE)),
                ('expert', fields.ForeignKeyField('models.ExpertProfile', source_field='expert_id', db_constraint=True, to_field='id', related_name='assignments', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'order_assignee', 'app': 'models', 'unique_together': (('order', 'expert'),), 'pk_attr': 'id', 'table_description': 'An expert who goes on site for an order: the dispatched expert, or the members a team leader names.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrderItem',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('models.ServiceItem', source_field='item_id', db_constraint=True, to_field='id', related_name='ordered', on_delete=OnDelete.RESTRICT)),
                ('item_code', fields.CharField(max_length=48)),
                ('item_name', fields.CharField(max_length=48)),
                ('category_name', fields.CharField(max_length=32)),
                ('field', fields.CharField(max_length=32)),
            ],
            options={'table': 'order_item', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What was ordered, copied from the menu so retiring an item changes no order.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TeamMember',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('team', fields.ForeignKeyField('models.ServiceTeam', source_field='team_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('expert', fields.ForeignKeyField('models.ExpertProfile', source_field='expert_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('position', fields.CharField(default='member', max_length=8)),
            ],
            options={'table': 'team_member', 'app': 'models', 'unique_together': (('team', 'expert'),), 'pk_attr': 'id', 'table_description': "An expert's place in a team: leader, core expert or member."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Upload',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('owner_id', fields.BigIntField(db_index=True)),
                ('purpose', fields.CharField(max_length=16)),
                ('content_type', fields.CharField(max_length=32)),
                ('size', fields.IntField()),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('storage_key', fields.CharField(unique=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'upload', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A photo someone uploaded, re-encoded without metadata, its bytes kept in file storage.'},
            bases=['Model'],
        ),
    ]
