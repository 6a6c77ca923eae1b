from tortoise import fields
from tortoise.models import Model


class OfflineScan(Model):
    """One offline check-in or check-out code an expert scanned and uploaded, kept as evidence.

    The unique (order, expert, counter) makes every code single-use per expert and order,
    across check-in and check-out alike, on every database. The expert phone's own clock and
    position are kept beside the time the code proves, for the local admin's review.
    """

    id = fields.BigIntField(primary_key=True)
    order = fields.ForeignKeyField("models.Order", related_name="offline_scans", on_delete=fields.RESTRICT)
    expert = fields.ForeignKeyField("models.ExpertProfile", related_name="offline_scans",
                                    on_delete=fields.RESTRICT)
    visit = fields.ForeignKeyField("models.Visit", related_name="offline_scans", on_delete=fields.CASCADE)
    # check_in or check_out
    kind = fields.CharField(max_length=16)
    # floor(unix time / step) of the requester's phone when it drew the code, and the step then in force
    counter = fields.BigIntField()
    step_seconds = fields.IntField()
    code_at = fields.DatetimeField(description="the time the code proves (start of its step)")
    device_at = fields.DatetimeField(description="the expert phone's clock at the scan, as claimed")
    skew_seconds = fields.IntField(description="device_at minus code_at")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    accuracy = fields.FloatField(null=True)
    distance_m = fields.IntField(null=True)
    uploaded_at = fields.DatetimeField()

    class Meta:
        table = "offline_scan"
        unique_together = (("order", "expert", "counter"),)
