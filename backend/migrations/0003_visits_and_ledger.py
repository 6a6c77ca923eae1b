from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_core_loop')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ServiceBase',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=64)),
                ('region_code', fields.CharField(db_index=True, max_length=12)),
                ('latitude', fields.FloatField()),
                ('longitude', fields.FloatField()),
                ('code_version', fields.IntField(default=1)),
                ('created_by_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'service_base', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A 专家服务基地 with a printed, signed code for group activities.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BaseAttendance',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('base', fields.ForeignKeyField('models.ServiceBase', source_field='base_id', db_constraint=True, to_field='id', related_name='attendance', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='base_attendance', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(max_length=16)),
                ('attended_on', fields.DateField(db_index=True)),
                ('checked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
            ],
            options={'table': 'base_attendance', 'app': 'models', 'unique_together': (('base', 'user', 'attended_on'),), 'pk_attr': 'id', 'table_description': "One person's attendance at a base on one day, expert or participant (人次)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Visit',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='visits', on_delete=OnDelete.RESTRICT)),
                ('expert', fields.ForeignKeyField('models.ExpertProfile', source_field='expert_id', db_constraint=True, to_field='id', related_name='visits', on_delete=OnDelete.RESTRICT)),
                ('source', fields.CharField(default='scan', max_length=16)),
                ('status', fields.CharField(default='open', db_index=True, max_length=16)),
                ('check_in_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('check_out_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('duration_minutes', fields.IntField(null=True)),
                ('in_latitude', fields.FloatField(null=True)),
                ('in_longitude', fields.FloatField(null=True)),
                ('in_accuracy', fields.FloatField(null=True)),
                ('in_distance_m', fields.IntField(null=True)),
                ('out_latitude', fields.FloatField(null=True)),
                ('out_longitude', fields.FloatField(null=True)),
                ('out_accuracy', fields.FloatField(null=True)),
                ('out_distance_m', fields.IntField(null=True)),
                ('check_in_code', fields.CharField(unique=True, max_length=64)),
                ('check_out_code', fields.CharField(null=True, unique=True, max_length=64)),
                ('open_key', fields.CharField(null=True, unique=True, max_length=48)),
                ('flags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('region_code', fields.CharField(db_index=True, max_length=12)),
                ('review_reason', fields.CharField(null=True, max_length=300)),
                ('reviewed_by_id', fields.BigIntField(null=True)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'visit', 'app': 'models', 'pk_attr': 'id', 'table_description': "One expert's time on site for an order (服务记录), from check-in to check-out."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LedgerEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('expert', fields.ForeignKeyField('models.ExpertProfile', source_field='expert_id', db_constraint=True, to_field='id', related_name='ledger', on_delete=OnDelete.RESTRICT)),
                ('visit', fields.ForeignKeyField('models.Visit', source_field='visit_id', null=True, db_constraint=True, to_field='id', related_name='ledger_entries', on_delete=OnDelete.RESTRICT)),
                ('service_date', fields.DateField(db_index=True)),
                ('year', fields.IntField(db_index=True)),
                ('hours', fields.DecimalField(max_digits=6, decimal_places=2)),
                ('source', fields.CharField(max_length=16)),
                ('status', fields.CharField(db_index=True, max_length=16)),
                ('reason', fields.CharField(null=True, max_length=300)),
                ('region_code', fields.CharField(db_index=True, max_length=12)),
                ('created_by_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ledger_entry', 'app': 'models', 'indexes': [Index(fields=['expert_id', 'year'])], 'pk_attr': 'id', 'table_description': 'Hours of service on one calendar day, with where they came from and whether they count.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceLog',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('visit', fields.OneToOneField('models.Visit', source_field='visit_id', db_constraint=True, to_field='id', related_name='log', on_delete=OnDelete.CASCADE)),
                ('content', fields.TextField(unique=False)),
                ('problems_solved', fields.IntField(default=0)),
                ('problems', fields.TextField(default='', unique=False)),
                ('people_served', fields.IntField(default=0)),
                ('people_trained', fields.IntField(default=0)),
                ('photo_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'service_log', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What the expert did on a visit (服务日志): content, problems solved, people served.'},
            bases=['Model'],
        ),
    ]
