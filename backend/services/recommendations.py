"""Ranked experts (and teams) for an order, for the admin who dispatches it.

The database narrows the 专家库 to verified, available experts of the
order's fields whose position lies in a bounding box around the site (the
farthest any radius is honoured, `matching_max_radius_km`); the pure scorer
in `backend.domain.matching` does the rest in memory. Load and ratings are
read only for the candidates that can still reach the top.
"""

from __future__ import annotations

import asyncio
import json
import math
import string

from tortoise import connections

from backend.config import Settings
from backend.domain import matching, text
from backend.domain.matching import Candidate, MatchWeights, Need, Record
from backend.domain.order_flow import OrderStatus
from backend.errors import Forbidden, NotFound
from backend.infra.clock import now
from backend.infra.tokens import AccessClaims
from backend.models import (
    AchievementOrder,
    ExpertProfile,
    Order,
    OrderItem,
    ServiceCategory,
    ServiceTeam,
    TeamMember,
)
from backend.services import order_views, search

# Orders an expert is working on: dispatched to them and not yet finished.
OPEN_STATUSES = [OrderStatus.DISPATCHED.value, OrderStatus.CLAIMED.value, OrderStatus.SCHEDULED.value,
                 OrderStatus.IN_SERVICE.value]
KM_PER_DEGREE = 111.2
CANDIDATE_COLUMNS = ("id", "name", "field", "specialties", "title_level", "title", "latitude", "longitude",
                     "service_radius_km", "available", "employer")
TEAM_LIMIT = 5
# How old the corpus statistics behind the specialty match may be.
IDF_MAX_AGE_SECONDS = 300.0


def _candidate(row: tuple) -> Candidate:
    (expert_id, name, field, specialties, title_level, title, latitude, longitude, radius, available, employer) = row
    if isinstance(specialties, str):
        specialties = json.loads(specialties)
    return Candidate(id=expert_id, name=name, field=field, specialties=tuple(specialties or ()),
                     title_level=title_level, title=title, latitude=latitude, longitude=longitude,
                     radius_km=radius, available=available, employer=employer or "")


def bounding_box(latitude: float, longitude: float, radius_km: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) of every point within `radius_km` of the site (a superset of the circle)."""
    lat_delta = radius_km / KM_PER_DEGREE
    lon_delta = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return latitude - lat_delta, latitude + lat_delta, longitude - lon_delta, longitude + lon_delta


# The box narrows by index; the flat-earth distance test (with a 2 % margin, so the exact haversine
# check in matching decides the edge) spares Python the rows whose own radius does not reach.
CANDIDATES_SQL = """
SELECT id, name, field, specialties, title_level, title, latitude, longitude, service_radius_km, available, employer
FROM expert_profile
WHERE status = 'verified' AND available AND field IN ({fields})
  AND latitude BETWEEN {south} AND {north} AND longitude BETWEEN {west} AND {east}
  AND ((latitude - {lat}) * {ky}) * ((latitude - {lat}) * {ky})
    + ((longitude - {lon}) * {kx}) * ((longitude - {lon}) * {kx})
    <= (service_radius_km * 1.02) * (service_radius_km * 1.02)
"""


def render(sql: str, postgres: bool, **values) -> tuple[str, list]:
    """Fill `{name}` slots with placeholders in order of appearance; a list fills a comma-separated group."""
    params: list = []

    def mark() -> str:
        params.append(None)
        return f"${len(params)}" if postgres else "?"

    pieces = []
    for literal, name, _, _ in string.Formatter().parse(sql):
        pieces.append(literal)
        if name is None:
            continue
        value = values[name]
        group = value if isinstance(value, (list, tuple)) else [value]
        start = len(params)
        pieces.append(", ".join(mark() for _ in group))
        params[start:] = list(group)
    return "".join(pieces), params


async def _query(sql: str, **values) -> list[tuple]:
    conn = connections.get("default")
    statement, params = render(sql, conn.capabilities.dialect == "postgres", **values)
    _, rows = await conn.execute_query(statement, params)
    return [tuple(row) for row in rows]


NEAREST_SQL = CANDIDATES_SQL + """
ORDER BY ((latitude - {lat}) * {ky}) * ((latitude - {lat}) * {ky})
       + ((longitude - {lon}) * {kx}) * ((longitude - {lon}) * {kx})
LIMIT {nearest}
"""
SPECIALISTS_SQL = CANDIDATES_SQL + "  AND specialties::text LIKE ANY (ARRAY[{patterns}])\n"


async def candidates(fields: list[str], latitude: float, longitude: float, radius_km: float,
                     terms: list[str] | None = None, nearest: int | None = None) -> list[Candidate]:
    """Verified, available experts of these fields whose own service radius may reach the site.

    With `terms` and `nearest` (PostgreSQL), only those whose specialties contain one of the terms, and
    of the others the `nearest`: an expert matching no term differs from the others only by distance,
    title, load and ratings, so beyond the nearest few hundred none reaches the top of the list.
    """
    south, north, west, east = bounding_box(latitude, longitude, radius_km)
    box = dict(fields=fields, south=south, north=north, west=west, east=east, lat=latitude, lon=longitude,
               ky=KM_PER_DEGREE, kx=KM_PER_DEGREE * math.cos(math.radians(latitude)))
    postgres = connections.get("default").capabilities.dialect == "postgres"
    if not (postgres and nearest and terms):
        return [_candidate(row) for row in await _query(CANDIDATES_SQL, **box)]
    patterns = ["%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for term in terms]
    near, matching_rows = await asyncio.gather(_query(NEAREST_SQL, nearest=nearest, **box),
                                               _query(SPECIALISTS_SQL, patterns=patterns, **box))
    rows = {row[0]: row for row in [*near, *matching_rows]}
    return [_candidate(row) for row in rows.values()]


# One round trip: open orders per expert (dispatched to them or naming them to go), and their ratings.
RECORDS_SQL = """
SELECT expert_id, COUNT(*), 0, 0 FROM (
    SELECT id AS order_id, expert_id FROM service_order WHERE status IN ({open}) AND expert_id IN ({ids})
    UNION
    SELECT a.order_id, a.expert_id FROM order_assignee a JOIN service_order o ON o.id = a.order_id
    WHERE o.status IN ({open}) AND a.expert_id IN ({ids})
) AS open_orders GROUP BY expert_id
UNION ALL
SELECT expert_id, 0, SUM(overall), COUNT(*) FROM rating WHERE expert_id IN ({ids}) GROUP BY expert_id
"""


async def records(expert_ids: list[int]) -> dict[int, Record]:
    """Open tasks and ratings of these experts."""
    if not expert_ids:
        return {}
    figures = {expert_id: [0, 0.0, 0] for expert_id in expert_ids}
    for expert_id, tasks, total, times in await _query(RECORDS_SQL, open=OPEN_STATUSES, ids=list(expert_ids)):
        row = figures[expert_id]
        row[0] += int(tasks)
        row[1] += float(total or 0)
        row[2] += int(times)
    return {expert_id: Record(open_tasks=t, rating_sum=s, rating_count=c) for expert_id, (t, s, c) in figures.items()}


_labels: dict[str, str] = {}


async def field_labels() -> dict[str, str]:
    """Names of the menu's categories, read once per process (they label reasons, nothing depends on them)."""
    if not _labels:
        _labels.update(dict(await ServiceCategory.all().values_list("code", "name")))
    return _labels


async def need_of(settings: Settings, order: Order) -> tuple[Need, list[Candidate]]:
    """The order as matching sees it (items' fields, its words with their IDF, the site, the named expert),
    and the candidates near its site. Independent reads run concurrently."""
    items, link, labels, _ = await asyncio.gather(
        OrderItem.filter(order_id=order.id).order_by("id").values_list("item_name", "field"),
        AchievementOrder.get_or_none(order_id=order.id).prefetch_related("achievement"),
        field_labels(),
        text.ready(),
    )
    terms = text.query_terms(search.order_text(order.description, [name for name, _ in items]), limit=64)
    item_fields = tuple(field for _, field in items) or (order.field,)
    weights, pool = await asyncio.gather(
        search.weights_for(search.ORDER, terms, max_age=IDF_MAX_AGE_SECONDS),
        candidates(list(dict.fromkeys(item_fields)), order.latitude, order.longitude,
                   settings.matching_max_radius_km,
                   [t for t in terms if len(t) >= MatchWeights.from_settings(settings).min_term_length],
                   settings.matching_nearest_candidates),
    )
    need = Need(
        item_fields=item_fields, latitude=order.latitude, longitude=order.longitude, terms=weights,
        field_labels=labels, min_title_level=settings.matching_min_title_level,
        title_required=settings.matching_title_required,
        preferred_expert_id=link.preferred_expert_id if link else None,
        preferred_because=f"成果《{link.achievement.title}》" if link else "",
    )
    return need, pool


async def _dispatchable_order(settings: Settings, claims: AccessClaims, order_id: int) -> Order:
    from backend.services.orders import ORDER_NOT_FOUND, may_dispatch

    if not may_dispatch(settings, claims):
        raise Forbidden("您没有派单权限，不能查看推荐专家", code="not_dispatcher")
    order = await Order.get_or_none(id=order_id)
    if order is None or not order_views.is_area_admin(claims, order):
        raise NotFound(ORDER_NOT_FOUND, code="order_not_found")
    return order


def _expert_view(match: matching.Match, labels: dict[str, str]) -> dict:
    c = match.candidate
    return {
        "expert_id": c.id,
        "name": c.name,
        "title": c.title,
        "employer": c.employer,
        "title_level": c.title_level,
        "title_level_label": matching.TITLE_LABELS.get(c.title_level, ""),
        "field": c.field,
        "field_label": labels.get(c.field, c.field),
        "specialties": list(c.specialties),
        "distance_km": match.distance_km,
        "service_radius_km": c.radius_km,
        "score": match.score,
        "preferred": match.preferred,
        "reasons": [reason.as_dict() for reason in match.reasons],
    }


async def _teams(need: Need, assessments: dict[int, matching.Assessment], matches: dict[int, matching.Match],
                 weights: MatchWeights) -> list[matching.TeamMatch]:
    """Service teams in term with a member able to serve, ranked by their members' fit."""
    if not assessments:
        return []
    team_ids = set(await TeamMember.filter(expert_id__in=list(assessments)).values_list("team_id", flat=True))
    if not team_ids:
        return []
    teams = await ServiceTeam.filter(id__in=list(team_ids), term_end__gte=now().date())
    members = await (TeamMember.filter(team_id__in=[team.id for team in teams])
                     .values_list("team_id", "expert_id", "expert__field"))
    missing = [expert_id for _, expert_id, _ in members if expert_id in assessments and expert_id not in matches]
    for expert_id, record in (await records(missing)).items():
        matches[expert_id] = matching.finish(assessments[expert_id], record, weights)
    by_team: dict[int, list[tuple[int, str]]] = {}
    for team_id, expert_id, field in members:
        by_team.setdefault(team_id, []).append((expert_id, field))
    candidates_ = [matching.TeamCandidate(team.id, team.name, team.leader_id, tuple(by_team.get(team.id, ())))
                   for team in teams]
    return matching.rank_teams(candidates_, matches, need, TEAM_LIMIT)


async def _finished(assessments: list[matching.Assessment], weights: MatchWeights) -> dict[int, matching.Match]:
    figures = await records([a.candidate.id for a in assessments])
    return {a.candidate.id: matching.finish(a, figures[a.candidate.id], weights) for a in assessments}


async def recommend(settings: Settings, claims: AccessClaims, order_id: int, limit: int) -> dict:
    """精准匹配: the experts (and, for orders needing several, the teams) best fitted to this order, with reasons."""
    order = await _dispatchable_order(settings, claims, order_id)
    weights = MatchWeights.from_settings(settings)
    need, pool = await need_of(settings, order)
    if need.preferred_expert_id and all(c.id != need.preferred_expert_id for c in pool):
        row = await (ExpertProfile.filter(id=need.preferred_expert_id, status="verified")
                     .values_list(*CANDIDATE_COLUMNS))
        pool.extend(_candidate(r) for r in row)
    cache: dict[str, list[str]] = {}
    assessed = {a.candidate.id: a for c in pool if (a := matching.assess(c, need, weights, cache)) is not None}
    matches = await _finished(matching.top_by_base(assessed.values(), limit), weights)
    if len(matches) == limit:
        # Anyone who cannot reach the worst of these even with top ratings and no load is out.
        floor = min(match.score for match in matches.values())
        rest = [a for a in matching.contenders(assessed.values(), floor, weights) if a.candidate.id not in matches]
        matches.update(await _finished(rest, weights))
    ranked = matching.rank(matches.values(), limit)
    teams = await _teams(need, assessed, matches, weights) if need.needs_team else []
    labels = dict(need.field_labels)
    return {
        "order_id": order.id,
        "needs_team": need.needs_team,
        "experts": [_expert_view(match, labels) for match in ranked],
        "teams": [
            {
                "team_id": team.team.id,
                "name": team.team.name,
                "leader_id": team.team.leader_id,
                "score": team.score,
                "reasons": [reason.as_dict() for reason in team.reasons],
                "members": [_expert_view(member, labels) for member in team.members],
            }
            for team in teams
        ],
        "considered": len(pool),
        "eligible": len(assessed),
        "weights": weights.as_dict(),
    }
