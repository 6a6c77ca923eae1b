from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_feedback')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Certificate',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('expert', fields.ForeignKeyField('models.ExpertProfile', source_field='expert_id', db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.RESTRICT)),
                ('year', fields.IntField()),
                ('content', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('digest', fields.CharField(max_length=64)),
                ('issuer', fields.CharField(max_length=100)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('pdf', fields.BinaryField()),
                ('pdf_sha256', fields.CharField(db_index=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'certificate', 'app': 'models', 'unique_together': (('expert', 'year', 'digest'),), 'pk_attr': 'id', 'table_description': "A 服务基层时长证明 as issued: what it certifies, that content's digest, and the PDF itself."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OfflineScan',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='offline_scans', on_delete=OnDelete.RESTRICT)),
                ('expert', fields.ForeignKeyField('models.ExpertProfile', source_field='expert_id', db_constraint=True, to_field='id', related_name='offline_scans', on_delete=OnDelete.RESTRICT)),
                ('visit', fields.ForeignKeyField('models.Visit', source_field='visit_id', db_constraint=True, to_field='id', related_name='offline_scans', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('counter', fields.BigIntField()),
                ('step_seconds', fields.IntField()),
                ('code_at', fields.DatetimeField(description='the time the code proves (start of its step)', auto_now=False, auto_now_add=False)),
                ('device_at', fields.DatetimeField(description="the expert phone's clock at the scan, as claimed", auto_now=False, auto_now_add=False)),
                ('skew_seconds', fields.IntField(description='device_at minus code_at')),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
                ('accuracy', fields.FloatField(null=True)),
                ('distance_m', fields.IntField(null=True)),
                ('uploaded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'offline_scan', 'app': 'models', 'unique_together': (('order', 'expert', 'counter'),), 'pk_attr': 'id', 'table_description': 'One offline check-in or check-out code an expert scanned and uploaded, kept as evidence.'},
            bases=['Model'],
        ),
    ]
