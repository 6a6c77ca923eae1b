from tortoise import fields
from tortoise.models import Model


class User(Model):
    """A person who signs in through WeChat, and what they may do comes from their role grants."""

    id = fields.BigIntField(primary_key=True)
    openid = fields.CharField(max_length=64, unique=True, null=True)
    unionid = fields.CharField(max_length=64, null=True, db_index=True)
    # Full number, shown masked to everyone but the people who need it.
    phone = fields.CharField(max_length=20, null=True, unique=True)
    name = fields.CharField(max_length=32, default="")
    nickname = fields.CharField(max_length=32, default="")
    last_role = fields.CharField(max_length=16, null=True)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    grants: fields.ReverseRelation["RoleGrant"]

    class Meta:
        table = "app_user"


class RoleGrant(Model):
    """One role a user holds. Admins' grants carry the region they govern."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="grants", on_delete=fields.CASCADE
    )
    role = fields.CharField(max_length=16)
    # For admins: the region they govern (it and everything below it).
    # For requesters and experts: their home region, if known.
    region_code = fields.CharField(max_length=12, null=True, db_index=True)
    granted_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "role_grant"
        unique_together = (("user", "role"),)
