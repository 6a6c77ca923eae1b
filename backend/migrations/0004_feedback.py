from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_visits_and_ledger')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CaseStory',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('visit', fields.OneToOneField('models.Visit', source_field='visit_id', db_constraint=True, to_field='id', related_name='case_story', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=80)),
                ('body', fields.TextField(unique=False)),
                ('photo_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('photos_consented', fields.BooleanField(default=False)),
                ('region_code', fields.CharField(db_index=True, max_length=12)),
                ('field', fields.CharField(max_length=32)),
                ('created_by_id', fields.BigIntField()),
                ('published_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'case_story', 'app': 'models', 'pk_attr': 'id', 'table_description': "典型案例: a visit that worked, told for publicity, with the requester's consent for photos."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FollowUp',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('visit', fields.OneToOneField('models.Visit', source_field='visit_id', db_constraint=True, to_field='id', related_name='follow_up', on_delete=OnDelete.CASCADE)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='follow_ups', on_delete=OnDelete.CASCADE)),
                ('region_code', fields.CharField(db_index=True, max_length=12)),
                ('reason', fields.CharField(max_length=16)),
                ('status', fields.CharField(default='open', db_index=True, max_length=8)),
                ('outcome', fields.TextField(null=True, unique=False)),
                ('decision', fields.CharField(null=True, max_length=8)),
                ('handled_by_id', fields.BigIntField(null=True)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'follow_up', 'app': 'models', 'pk_attr': 'id', 'table_description': '回访: a local admin follows up a low rating or a visit nobody rated, and decides on its hours.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Rating',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('visit', fields.OneToOneField('models.Visit', source_field='visit_id', db_constraint=True, to_field='id', related_name='rating', on_delete=OnDelete.CASCADE)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='ratings', on_delete=OnDelete.CASCADE)),
                ('rater', fields.ForeignKeyField('models.User', source_field='rater_id', db_constraint=True, to_field='id', related_name='ratings_given', on_delete=OnDelete.RESTRICT)),
                ('overall', fields.SmallIntField()),
                ('attitude', fields.SmallIntField()),
                ('expertise', fields.SmallIntField()),
                ('solved', fields.CharField(max_length=12)),
                ('comment', fields.TextField(default='', unique=False)),
                ('photo_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('region_code', fields.CharField(db_index=True, max_length=12)),
                ('expert_id', fields.BigIntField(db_index=True)),
                ('editable_until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'rating', 'app': 'models', 'pk_attr': 'id', 'table_description': "基层反向评价: the requester's rating of one visit, given on their own phone right after it."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Visit',
            name='rating_reminded_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
