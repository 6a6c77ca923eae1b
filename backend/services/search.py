"""Full-text search of the 需求库 and the 成果库 over a jieba token index.

How orders reach the index: the audit trail is the change feed. `place_order`
and `resubmit` each write an AuditRecord ("submit", "resubmit") in the same
transaction as the text they change, so reading that trail forward finds
every order whose text may have changed, without touching orders.py and
without depending on ORM signals (Tortoise fires none for the queryset
UPDATE that resubmit uses, nor for OrderItem.bulk_create). `catch_up_orders()`
runs before every order search (read-your-writes: a requester finds the order
they just placed) and can run from a periodic job too. It holds a row lock on
its cursor so that only one request indexes at a time, and it leaves its
cursor `search_index_lag_seconds` behind the newest record, because audit ids
are assigned at insert but become visible at commit, possibly out of order.
Re-reading that window is cheap: an order whose version was indexed already
is skipped.

Achievements are this module's own: `index_document()` runs in the
transaction that saves them.

Ranking: each query term weighs its IDF over the documents of its kind, and
a document's score is the SUM of the weights of the terms it contains,
computed in SQL (GROUP BY doc_id) within the caller's scope.
"""

from __future__ import annotations

import asyncio
import base64
import time
from datetime import timedelta

from tortoise.expressions import Case, RawSQL, Subquery, When
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.domain import text
from backend.errors import ValidationFailed
from backend.infra.clock import now
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord, Order, OrderItem, SearchCursor, SearchDocument, SearchPosting

ORDER = "order"
ACHIEVEMENT = "achievement"
ORDER_FEED = "order_audit"
# Audit actions after which an order's searchable text may differ.
TEXT_CHANGING_ACTIONS = ("submit", "resubmit")
CATCH_UP_BATCH = 2000


# --------------------------------------------------------------------------- writing the index


async def index_document(kind: str, doc_id: int, version: int, content: str, conn=None) -> None:
    """Replace the document's postings with the tokens of `content`."""
    counts = text.term_counts(content)
    await SearchPosting.filter(kind=kind, doc_id=doc_id).using_db(conn).delete()
    if counts:
        await SearchPosting.bulk_create(
            [SearchPosting(kind=kind, doc_id=doc_id, token=token, tf=min(count, 32_000))
             for token, count in counts.items()],
            using_db=conn,
        )
    updated = await SearchDocument.filter(kind=kind, doc_id=doc_id).using_db(conn).update(version=version,
                                                                                           indexed_at=now())
    if not updated:
        await SearchDocument.create(using_db=conn, kind=kind, doc_id=doc_id, version=version)


async def remove_document(kind: str, doc_id: int, conn=None) -> None:
    await SearchPosting.filter(kind=kind, doc_id=doc_id).using_db(conn).delete()
    await SearchDocument.filter(kind=kind, doc_id=doc_id).using_db(conn).delete()


def order_text(description: str, item_names: list[str]) -> str:
    """What of an order is searchable: its description and the names of the items ordered."""
    return "\n".join([description, *item_names])


async def _index_orders(order_ids: list[int], conn) -> int:
    """(Re)index those of `order_ids` whose current version is not the indexed one."""
    if not order_ids:
        return 0
    rows = await Order.filter(id__in=order_ids).using_db(conn).values_list("id", "version", "description")
    indexed = dict(await SearchDocument.filter(kind=ORDER, doc_id__in=order_ids).using_db(conn)
                   .values_list("doc_id", "version"))
    stale = [(oid, version, description) for oid, version, description in rows if indexed.get(oid) != version]
    if not stale:
        return 0
    names: dict[int, list[str]] = {}
    for order_id, name in await (OrderItem.filter(order_id__in=[row[0] for row in stale]).using_db(conn)
                                 .order_by("id").values_list("order_id", "item_name")):
        names.setdefault(order_id, []).append(name)
    for order_id, version, description in stale:
        await index_document(ORDER, order_id, version, order_text(description, names.get(order_id, [])), conn)
    return len(stale)


async def catch_up_orders(settings: Settings) -> int:
    """Index orders placed or edited since the last run; returns how many were (re)indexed.

    Skips, rather than waits, when another request is catching up already.
    """
    await text.ready()
    await SearchCursor.get_or_create(name=ORDER_FEED, defaults={"position": 0})
    async with in_transaction() as conn:
        cursor = await (SearchCursor.filter(name=ORDER_FEED).using_db(conn).select_for_update(skip_locked=True)
                        .first())
        if cursor is None:
            return 0
        records = await (AuditRecord.filter(id__gt=cursor.position, subject_type="order",
                                            action__in=TEXT_CHANGING_ACTIONS)
                         .using_db(conn).order_by("id").limit(CATCH_UP_BATCH).values_list("id", "subject_id"))
        order_ids = sorted({int(subject) for _, subject in records if subject.isdigit()})
        count = await _index_orders(order_ids, conn)
        # Advance only past records old enough that no earlier id can still be uncommitted.
        settled = now() - timedelta(seconds=settings.search_index_lag_seconds)
        query = AuditRecord.filter(id__gt=cursor.position, created_at__lt=settled).using_db(conn)
        if len(records) == CATCH_UP_BATCH:
            query = query.filter(id__lte=records[-1][0])
        newest = await query.order_by("-id").first().values_list("id", flat=True)
        if newest:
            await SearchCursor.filter(name=ORDER_FEED).using_db(conn).update(position=newest)
        return count


async def reindex_all_orders() -> int:
    """Rebuild the order index from scratch (operations and benchmarks)."""
    await text.ready()
    count = 0
    last = 0
    while True:
        ids = await Order.filter(id__gt=last).order_by("id").limit(1000).values_list("id", flat=True)
        if not ids:
            return count
        async with in_transaction() as conn:
            count += await _index_orders(list(ids), conn)
        last = ids[-1]


# --------------------------------------------------------------------------- reading it


# Corpus statistics for callers that accept them a few minutes old (matching): kind -> (read at, documents,
# {token: document frequency}). IDF moves slowly; counting postings of common words on every call does not.
_statistics: dict[str, tuple[float, int, dict[str, int]]] = {}


async def _frequencies(kind: str, terms: list[str]) -> tuple[int, dict[str, int]]:
    frequencies = (SearchPosting.filter(kind=kind, token__in=terms).annotate(df=Count("id")).group_by("token")
                   .values_list("token", "df"))
    rows, documents = await asyncio.gather(frequencies, SearchDocument.filter(kind=kind).count())
    return documents, {term: 0 for term in terms} | dict(rows)


async def weights_for(kind: str, terms: list[str], max_age: float | None = None) -> dict[str, float]:
    """IDF of each term over the documents of `kind`; with `max_age` (seconds) counts that recent may be reused."""
    if not terms:
        return {}
    if max_age is None:
        documents, frequencies = await _frequencies(kind, terms)
        return text.term_weights(terms, documents, frequencies)
    read_at, documents, known = _statistics.get(kind, (0.0, 0, {}))
    if time.monotonic() - read_at > max_age:
        read_at, documents, known = time.monotonic(), 0, {}
    missing = [term for term in terms if term not in known]
    if missing or not documents:
        documents, fresh = await _frequencies(kind, missing or terms)
        known = {**known, **fresh} if len(known) < 50_000 else fresh
        _statistics[kind] = (read_at, documents, known)
    return text.term_weights(terms, documents, known)


async def ranked(kind: str, weights: dict[str, float], scope: QuerySet, limit: int, offset: int = 0
                 ) -> list[tuple[int, float]]:
    """(doc_id, score) of documents in `scope` containing any weighted term, best first, newest among equals."""
    if not weights:
        return []
    # Weights are inlined as numeric literals (we format them), since a bound parameter there reaches
    # PostgreSQL untyped and SUM(text) does not exist. Tokens stay bound parameters.
    score = Sum(Case(*[When(token=term, then=RawSQL(f"{float(weight):.4f}")) for term, weight in weights.items()],
                     default=RawSQL("0.0")))
    rows = await (
        SearchPosting.filter(kind=kind, token__in=list(weights), doc_id__in=Subquery(scope.values("id")))
        .annotate(score=score)
        .group_by("doc_id")
        .order_by("-score", "-doc_id")
        .offset(offset)
        .limit(limit)
        .values_list("doc_id", "score")
    )
    return [(int(doc_id), round(float(value), 3)) for doc_id, value in rows]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"s:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = raw.partition(":")
        if prefix != "s" or int(value) < 0:
            raise ValueError
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(fields={"cursor": "翻页参数无效"}) from None


async def search(kind: str, q: str, scope: QuerySet, cursor: str | None, limit: int
                 ) -> tuple[list[str], list[tuple[int, float]], str | None]:
    """Query terms, one page of (doc_id, score) and the next page's cursor."""
    await text.ready()
    terms = text.query_terms(q)
    if not terms:
        return [], [], None
    offset = decode_cursor(cursor)
    hits = await ranked(kind, await weights_for(kind, terms), scope, limit + 1, offset)
    more = len(hits) > limit
    return terms, hits[:limit], encode_cursor(offset + limit) if more else None


def matched_terms(terms: list[str], content: str) -> list[str]:
    """The query terms found in `content`, longest first, for highlighting."""
    lowered = content.lower()
    return sorted((term for term in terms if term in lowered), key=len, reverse=True)


# --------------------------------------------------------------------------- the 需求库


async def search_orders(settings: Settings, claims: AccessClaims, query) -> dict:
    """Orders the caller may see whose text matches `q`, best match first."""
    from backend.services import order_views, orders

    await catch_up_orders(settings)
    scope = order_views.apply_filters(await order_views.visible_orders(claims), status=query.status,
                                      field=query.field, region=query.region, since=query.since, until=query.until)
    terms, hits, next_cursor = await search(ORDER, query.q, scope, query.cursor, query.limit)
    by_id = {row.id: row for row in await Order.filter(id__in=[doc_id for doc_id, _ in hits])}
    items = []
    for doc_id, score in hits:
        order = by_id.get(doc_id)
        if order is None:
            continue
        item = await orders.view(settings, claims, order)
        item["score"] = score
        item["matched"] = matched_terms(terms, order_text(order.description, [i["name"] for i in item["items"]]))
        items.append(item)
    return {"terms": terms, "items": items, "next_cursor": next_cursor}
