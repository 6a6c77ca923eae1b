from tortoise import fields
from tortoise.indexes import PartialIndex
from tortoise.models import Model


class Visit(Model):
    """One expert's time on site for an order (服务记录), from check-in to check-out.

    Times are the server's, never the phone's, except for offline scans, whose
    device times are checked against the code they carry and flagged when doubtful.
    """

    id = fields.BigIntField(primary_key=True)
    order = fields.ForeignKeyField("models.Order", related_name="visits", on_delete=fields.RESTRICT, db_index=True)
    expert = fields.ForeignKeyField("models.ExpertProfile", related_name="visits", on_delete=fields.RESTRICT,
                                    db_index=True)
    # scan (the requester's rotating code) or offline (a time-based code uploaded later)
    source = fields.CharField(max_length=16, default="scan")
    # open, completed, flagged, approved, rejected. Not indexed on its own: PostgreSQL took such an index for
    # "status = 'open'" (rare when last analysed) over the primary key and the order's visits, and read every
    # open visit on each check-out (migration 0012). The admins' queue of flagged visits has its own index.
    status = fields.CharField(max_length=16, default="open")
    check_in_at = fields.DatetimeField(db_index=True)
    check_out_at = fields.DatetimeField(null=True)
    duration_minutes = fields.IntField(null=True)
    in_latitude = fields.FloatField(null=True)
    in_longitude = fields.FloatField(null=True)
    in_accuracy = fields.FloatField(null=True)
    in_distance_m = fields.IntField(null=True)
    out_latitude = fields.FloatField(null=True)
    out_longitude = fields.FloatField(null=True)
    out_accuracy = fields.FloatField(null=True)
    out_distance_m = fields.IntField(null=True)
    # The scanned codes' ids: a code is used once, and a retried scan finds its visit by it.
    check_in_code = fields.CharField(max_length=64, unique=True)
    check_out_code = fields.CharField(max_length=64, unique=True, null=True)
    # Set while the visit is open and cleared at check-out: the unique index allows one open visit
    # per expert and order on every database, without partial indexes.
    open_key = fields.CharField(max_length=48, unique=True, null=True)
    flags = fields.JSONField(default=list)
    region_code = fields.CharField(max_length=12, db_index=True)
    rating_reminded_at = fields.DatetimeField(null=True)
    # Set once the visit is rated, followed up or rejected, which never comes undone, so the rating sweep reads
    # only the visits still waiting (the partial index below) instead of every visit ever made. Only the sweep
    # sets it (feedback.sweep_ratings); until it has, a visit is merely looked at once more.
    feedback_settled = fields.BooleanField(default=False, db_default=False)
    review_reason = fields.CharField(max_length=300, null=True)
    reviewed_by_id = fields.BigIntField(null=True)
    reviewed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "visit"
        indexes = [PartialIndex(fields=("check_out_at",), condition={"feedback_settled": False},
                                name="visit_feedback_unsettled"),
                   PartialIndex(fields=("region_code",), condition={"status": "flagged"}, name="visit_flagged_region")]


class ServiceLog(Model):
    """What the expert did on a visit (服务日志): content, problems solved, people served."""

    id = fields.BigIntField(primary_key=True)
    visit = fields.OneToOneField("models.Visit", related_name="log", on_delete=fields.CASCADE)
    content = fields.TextField()
    problems_solved = fields.IntField(default=0)
    problems = fields.TextField(default="")
    people_served = fields.IntField(default=0)
    people_trained = fields.IntField(default=0)
    photo_ids = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "service_log"


class LedgerEntry(Model):
    """Hours of service on one calendar day, with where they came from and whether they count.

    A visit across midnight gives one row per day. Rows are derived from the visit
    (and later its rating) by one function, except admin adjustments, which carry a reason.
    """

    id = fields.BigIntField(primary_key=True)
    expert = fields.ForeignKeyField("models.ExpertProfile", related_name="ledger", on_delete=fields.RESTRICT)
    visit = fields.ForeignKeyField("models.Visit", related_name="ledger_entries", null=True,
                                   on_delete=fields.RESTRICT, db_index=True)
    service_date = fields.DateField(db_index=True)
    year = fields.IntField(db_index=True)
    hours = fields.DecimalField(max_digits=6, decimal_places=2)
    # scan, base_scan, offline, adjustment
    source = fields.CharField(max_length=16)
    # counted, pending (awaiting review or rating), withheld
    status = fields.CharField(max_length=16, db_index=True)
    reason = fields.CharField(max_length=300, null=True)
    region_code = fields.CharField(max_length=12, db_index=True)
    created_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ledger_entry"
        indexes = (("expert_id", "year"),)


class ServiceBase(Model):
    """A 专家服务基地 with a printed, signed code for group activities."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=64)
    region_code = fields.CharField(max_length=12, db_index=True)
    latitude = fields.FloatField()
    longitude = fields.FloatField()
    # Bumped to void every printed code at once (a lost or photographed poster).
    code_version = fields.IntField(default=1)
    created_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "service_base"


class BaseAttendance(Model):
    """One person's attendance at a base on one day, expert or participant (人次)."""

    id = fields.BigIntField(primary_key=True)
    base = fields.ForeignKeyField("models.ServiceBase", related_name="attendance", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="base_attendance", on_delete=fields.CASCADE)
    # expert or participant
    role = fields.CharField(max_length=16)
    attended_on = fields.DateField(db_index=True)
    checked_at = fields.DatetimeField()
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)

    class Meta:
        table = "base_attendance"
        unique_together = (("base", "user", "attended_on"),)
