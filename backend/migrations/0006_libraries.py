from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_certificates_offline')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Achievement',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.ExpertProfile', source_field='owner_id', db_constraint=True, to_field='id', related_name='achievements', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=100)),
                ('field', fields.CharField(description='领域，对应服务菜单分类', max_length=32)),
                ('description', fields.TextField(unique=False)),
                ('mode', fields.CharField(max_length=16)),
                ('status', fields.CharField(default='draft', max_length=16)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'achievement', 'app': 'models', 'indexes': [Index(fields=['status', 'field']), Index(fields=['owner_id', 'status'])], 'pk_attr': 'id', 'table_description': 'A technical achievement in the 成果库 that its owner offers for transfer, licence, equity or cooperation.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AchievementOrder',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('achievement', fields.ForeignKeyField('models.Achievement', source_field='achievement_id', db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.CASCADE)),
                ('order', fields.OneToOneField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='achievement_link', on_delete=OnDelete.CASCADE)),
                ('preferred_expert', fields.ForeignKeyField('models.ExpertProfile', source_field='preferred_expert_id', db_constraint=True, to_field='id', related_name='wished_orders', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'achievement_order', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An order a requester placed through an achievement, naming its owner as the wished-for expert.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ImportJob',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('kind', fields.CharField(default='experts', max_length=16)),
                ('created_by_id', fields.BigIntField(null=True, db_index=True)),
                ('created_by_role', fields.CharField(null=True, max_length=16)),
                ('region_code', fields.CharField(db_index=True, max_length=12)),
                ('filename', fields.CharField(default='', max_length=200)),
                ('status', fields.CharField(default='queued', db_index=True, max_length=16)),
                ('total_rows', fields.IntField(default=0)),
                ('processed_rows', fields.IntField(default=0)),
                ('errors', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('error_count', fields.IntField(default=0)),
                ('message', fields.CharField(null=True, max_length=200)),
                ('created_count', fields.IntField(default=0)),
                ('updated_count', fields.IntField(default=0)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'import_job', 'app': 'models', 'pk_attr': 'id', 'table_description': "A bulk import of the 专家库 from an office's Excel roster, checked in full before anything is written."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SearchCursor',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('position', fields.BigIntField(default=0)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'search_cursor', 'app': 'models', 'pk_attr': 'name', 'table_description': 'How far the indexer has read a change feed (the audit trail of orders), one row per feed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SearchDocument',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('doc_id', fields.BigIntField()),
                ('version', fields.IntField(default=1)),
                ('indexed_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'search_document', 'app': 'models', 'unique_together': (('kind', 'doc_id'),), 'pk_attr': 'id', 'table_description': 'A document in the token index and the version of it that was indexed, so edits are re-indexed once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SearchPosting',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('doc_id', fields.BigIntField()),
                ('token', fields.CharField(max_length=32)),
                ('tf', fields.SmallIntField(default=1)),
            ],
            options={'table': 'search_posting', 'app': 'models', 'indexes': [Index(fields=['kind', 'token', 'doc_id']), Index(fields=['kind', 'doc_id'])], 'pk_attr': 'id', 'table_description': "One token of one searchable document (an order or an achievement), from jieba's search-mode cut."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ExpertProfile',
            name='availability_note',
            field=fields.CharField(null=True, description='暂不接单的原因或可服务时间', max_length=200),
        ),
        ops.AddField(
            model_name='ExpertProfile',
            name='id_number_hash',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
        ops.AddField(
            model_name='ExpertProfile',
            name='id_number_last4',
            field=fields.CharField(null=True, max_length=4),
        ),
        ops.AddField(
            model_name='ExpertProfile',
            name='verified_by_id',
            field=fields.BigIntField(null=True),
        ),
    ]
