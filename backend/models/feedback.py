from tortoise import fields
from tortoise.models import Model


class Rating(Model):
    """基层反向评价: the requester's rating of one visit, given on their own phone right after it."""

    id = fields.BigIntField(primary_key=True)
    visit = fields.OneToOneField("models.Visit", related_name="rating", on_delete=fields.CASCADE)
    order = fields.ForeignKeyField("models.Order", related_name="ratings", on_delete=fields.CASCADE, db_index=True)
    rater = fields.ForeignKeyField("models.User", related_name="ratings_given", on_delete=fields.RESTRICT,
                                   db_index=True)
    overall = fields.SmallIntField()
    attitude = fields.SmallIntField()
    expertise = fields.SmallIntField()
    # solved, partly, unsolved
    solved = fields.CharField(max_length=12)
    comment = fields.TextField(default="")
    photo_ids = fields.JSONField(default=list)
    # Stored with the rating so figures by area and period need no joins.
    region_code = fields.CharField(max_length=12, db_index=True)
    expert_id = fields.BigIntField(db_index=True)
    editable_until = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "rating"


class FollowUp(Model):
    """回访: a local admin follows up a low rating or a visit nobody rated, and decides on its hours."""

    id = fields.BigIntField(primary_key=True)
    visit = fields.OneToOneField("models.Visit", related_name="follow_up", on_delete=fields.CASCADE)
    order = fields.ForeignKeyField("models.Order", related_name="follow_ups", on_delete=fields.CASCADE,
                                   db_index=True)
    region_code = fields.CharField(max_length=12, db_index=True)
    # low_rating, no_rating
    reason = fields.CharField(max_length=16)
    # open, closed
    status = fields.CharField(max_length=8, default="open", db_index=True)
    outcome = fields.TextField(null=True)
    # approve (hours count) or withhold
    decision = fields.CharField(max_length=8, null=True)
    handled_by_id = fields.BigIntField(null=True)
    closed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "follow_up"


class CaseStory(Model):
    """典型案例: a visit that worked, told for publicity, with the requester's consent for photos."""

    id = fields.BigIntField(primary_key=True)
    visit = fields.OneToOneField("models.Visit", related_name="case_story", on_delete=fields.RESTRICT)
    title = fields.CharField(max_length=80)
    body = fields.TextField()
    photo_ids = fields.JSONField(default=list)
    photos_consented = fields.BooleanField(default=False)
    region_code = fields.CharField(max_length=12, db_index=True)
    field = fields.CharField(max_length=32)
    created_by_id = fields.BigIntField()
    published_at = fields.DatetimeField(null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "case_story"
