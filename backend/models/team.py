from tortoise import fields
from tortoise.models import Model


class ServiceTeam(Model):
    """A 专家服务团 led by its leader (团长负责制) for a three-year term."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=64)
    field = fields.CharField(max_length=32, db_index=True)
    region_code = fields.CharField(max_length=12, db_index=True)
    leader = fields.ForeignKeyField("models.ExpertProfile", related_name="led_teams", on_delete=fields.RESTRICT)
    term_start = fields.DateField()
    term_end = fields.DateField()
    created_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    members: fields.ReverseRelation["TeamMember"]

    class Meta:
        table = "service_team"


class TeamMember(Model):
    """An expert's place in a team: leader, core expert or member."""

    id = fields.BigIntField(primary_key=True)
    team = fields.ForeignKeyField("models.ServiceTeam", related_name="members", on_delete=fields.CASCADE)
    expert = fields.ForeignKeyField("models.ExpertProfile", related_name="memberships", on_delete=fields.CASCADE,
                                    db_index=True)
    # leader, core, member
    position = fields.CharField(max_length=8, default="member")

    class Meta:
        table = "team_member"
        unique_together = (("team", "expert"),)
