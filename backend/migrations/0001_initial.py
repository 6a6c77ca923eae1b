from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor_id', fields.BigIntField(null=True, db_index=True)),
                ('actor_role', fields.CharField(null=True, max_length=16)),
                ('action', fields.CharField(db_index=True, max_length=48)),
                ('subject_type', fields.CharField(max_length=32)),
                ('subject_id', fields.CharField(db_index=True, max_length=64)),
                ('region_code', fields.CharField(null=True, db_index=True, max_length=12)),
                ('from_state', fields.CharField(null=True, max_length=32)),
                ('to_state', fields.CharField(null=True, max_length=32)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('detail', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'audit_record', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Append-only record of a state change or an admin action, never updated or deleted.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Region',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=12)),
                ('name', fields.CharField(max_length=64)),
                ('level', fields.CharField(db_index=True, max_length=16)),
                ('parent_code', fields.CharField(null=True, db_index=True, max_length=12)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
            ],
            options={'table': 'region', 'app': 'models', 'pk_attr': 'code', 'table_description': 'An administrative division in the 12-digit 统计用区划代码 form.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceCategory',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=32)),
                ('description', fields.CharField(default='', max_length=200)),
                ('icon', fields.CharField(default='', max_length=32)),
                ('sort_order', fields.IntField(default=0)),
                ('is_active', fields.BooleanField(default=True)),
            ],
            options={'table': 'service_category', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A section of the 点餐 menu, e.g. 种植技术, whose code doubles as the expert field it needs.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('category', fields.ForeignKeyField('models.ServiceCategory', source_field='category_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.RESTRICT)),
                ('code', fields.CharField(unique=True, max_length=48)),
                ('name', fields.CharField(max_length=48)),
                ('description', fields.CharField(default='', max_length=300)),
                ('field', fields.CharField(db_index=True, max_length=32)),
                ('typical_hours', fields.FloatField(default=4.0)),
                ('sort_order', fields.IntField(default=0)),
                ('retired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'service_item', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One dish on the menu, e.g. 果树病虫害诊断. Retired items stay for the orders that used them.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('openid', fields.CharField(null=True, unique=True, max_length=64)),
                ('unionid', fields.CharField(null=True, db_index=True, max_length=64)),
                ('phone', fields.CharField(null=True, unique=True, max_length=20)),
                ('name', fields.CharField(default='', max_length=32)),
                ('nickname', fields.CharField(default='', max_length=32)),
                ('last_role', fields.CharField(null=True, max_length=16)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'app_user', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A person who signs in through WeChat, and what they may do comes from their role grants.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ExpertProfile',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='expert_profile', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=32)),
                ('gender', fields.CharField(default='', max_length=8)),
                ('title', fields.CharField(description='职称，如 高级农艺师', max_length=32)),
                ('title_level', fields.CharField(db_index=True, max_length=24)),
                ('field', fields.CharField(db_index=True, description='主要领域，对应服务菜单分类', max_length=32)),
                ('specialties', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('employer', fields.CharField(default='', max_length=100)),
                ('region_code', fields.CharField(db_index=True, max_length=12)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
                ('service_radius_km', fields.FloatField(default=100.0)),
                ('honours', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('retired', fields.BooleanField(default=False)),
                ('available', fields.BooleanField(default=True)),
                ('status', fields.CharField(default='pending', db_index=True, max_length=16)),
                ('status_reason', fields.CharField(null=True, max_length=200)),
                ('verified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'expert_profile', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An expert in the 专家库: what they know, where they are, whether an admin verified them.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoleGrant',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='grants', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(max_length=16)),
                ('region_code', fields.CharField(null=True, db_index=True, max_length=12)),
                ('granted_by_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'role_grant', 'app': 'models', 'unique_together': (('user', 'role'),), 'pk_attr': 'id', 'table_description': "One role a user holds. Admins' grants carry the region they govern."},
            bases=['Model'],
        ),
    ]
