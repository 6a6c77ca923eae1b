from tortoise import fields
from tortoise.models import Model


class SearchPosting(Model):
    """One token of one searchable document (an order or an achievement), from jieba's search-mode cut."""

    id = fields.BigIntField(primary_key=True)
    # order, achievement
    kind = fields.CharField(max_length=16)
    doc_id = fields.BigIntField()
    token = fields.CharField(max_length=32)
    # How often the token occurs in the document.
    tf = fields.SmallIntField(default=1)

    class Meta:
        table = "search_posting"
        # Ranking reads (kind, token) and groups by doc_id, reindexing deletes by (kind, doc_id).
        indexes = (("kind", "token", "doc_id"), ("kind", "doc_id"))


class SearchDocument(Model):
    """A document in the token index and the version of it that was indexed, so edits are re-indexed once."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=16)
    doc_id = fields.BigIntField()
    version = fields.IntField(default=1)
    indexed_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "search_document"
        unique_together = (("kind", "doc_id"),)


class SearchCursor(Model):
    """How far the indexer has read a change feed (the audit trail of orders), one row per feed."""

    name = fields.CharField(max_length=32, primary_key=True)
    position = fields.BigIntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "search_cursor"
