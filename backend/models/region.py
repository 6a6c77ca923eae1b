from tortoise import fields
from tortoise.models import Model


class Region(Model):
    """An administrative division in the 12-digit 统计用区划代码 form."""

    code = fields.CharField(max_length=12, primary_key=True)
    name = fields.CharField(max_length=64)
    # province, city, county, township, village
    level = fields.CharField(max_length=16, db_index=True)
    parent_code = fields.CharField(max_length=12, null=True, db_index=True)
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)

    class Meta:
        table = "region"
