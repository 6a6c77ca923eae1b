"""精准匹配对口专家: how well an expert fits an order, with the reasons an admin reads.

Pure: the service loads candidates and their figures, this module scores
them. Every weight lives in `MatchWeights`; settings may override any of them
(`MATCHING_WEIGHTS="field=30,distance=15"`).

Scoring runs in two stages so that the service can load ratings and open
tasks for a short list only: `assess()` scores what is known from the
profile (field, specialties, distance, title, availability), `finish()` adds
load and ratings. Both later terms are bounded, so `shortlist()` can drop
every candidate that could not reach the top even with the best figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace

from backend.domain.visits import haversine_m

TITLE_RANKS = {"intermediate": 1, "associate_senior": 2, "senior": 3}
TITLE_LABELS = {"intermediate": "中级", "associate_senior": "副高级", "senior": "正高级"}
# An order needs a team rather than one expert when it spans fields or asks for this many items.
TEAM_ITEM_COUNT = 3


class WeightsError(ValueError):
    """MATCHING_WEIGHTS names an unknown weight or a value that is not a number."""


@dataclass(frozen=True)
class MatchWeights:
    """Points of each reason; the one place where the ranking's policy is written down."""

    field: float = 30.0  # the expert's field is the order's (scaled by the share of items it covers)
    specialty: float = 25.0  # specialties contain the order's words, weighted by IDF
    specialty_saturation: float = 0.5  # share of the order's word weight that earns the full points
    distance: float = 20.0  # at the site; halves every `distance_half_km`
    distance_half_km: float = 30.0
    load_per_task: float = 3.0  # subtracted per order the expert is working on
    load_max: float = 15.0
    rating: float = 10.0  # at a 5-star average (minus as much at 1 star)
    rating_prior_mean: float = 4.0  # a newcomer counts as this many stars…
    rating_prior_count: float = 3.0  # …given this many times, so one rating does not dominate
    title: float = 8.0  # at or above the policy's title level
    unavailable: float = 20.0  # subtracted when a named expert has paused taking orders
    preferred: float = 100.0  # the requester named this expert by ordering their achievement
    min_term_length: int = 2  # shorter words are too ambiguous to match inside a specialty

    @classmethod
    def parse(cls, overrides: str, base: MatchWeights | None = None) -> MatchWeights:
        """`base` (the defaults) with "name=value,…" applied."""
        weights = base or cls()
        known = {f.name: f.type for f in fields(cls)}
        changes: dict[str, float | int] = {}
        for part in overrides.split(","):
            if not part.strip():
                continue
            name, sep, raw = part.partition("=")
            name = name.strip()
            if not sep or name not in known:
                raise WeightsError(f"未知的匹配权重：{name or part.strip()}")
            try:
                changes[name] = int(raw) if known[name] in ("int", int) else float(raw)
            except ValueError:
                raise WeightsError(f"匹配权重 {name} 应为数字") from None
        return replace(weights, **changes)

    @classmethod
    def from_settings(cls, settings) -> MatchWeights:
        return cls.parse(settings.matching_weights)

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Need:
    """What the order asks for, as matching sees it."""

    item_fields: tuple[str, ...]  # the field of each item ordered
    latitude: float
    longitude: float
    terms: Mapping[str, float]  # the order's words (description and item names) with their IDF
    field_labels: Mapping[str, str] = field(default_factory=dict)
    min_title_level: str = "associate_senior"  # "" when the policy asks for none
    title_required: bool = False
    preferred_expert_id: int | None = None
    preferred_because: str = ""  # e.g. the achievement's title

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.item_fields))

    @property
    def needs_team(self) -> bool:
        return len(self.fields) > 1 or len(self.item_fields) >= TEAM_ITEM_COUNT


@dataclass(frozen=True)
class Candidate:
    """An expert as loaded from the 专家库."""

    id: int
    name: str
    field: str
    specialties: tuple[str, ...]
    title_level: str
    latitude: float | None
    longitude: float | None
    radius_km: float
    available: bool = True
    title: str = ""
    employer: str = ""


@dataclass(frozen=True)
class Record:
    """An expert's figures from past work."""

    open_tasks: int = 0
    rating_sum: float = 0.0
    rating_count: int = 0


@dataclass(frozen=True)
class Reason:
    text: str
    points: float

    @property
    def label(self) -> str:
        if self.points == 0:
            return self.text
        sign = "+" if self.points > 0 else "−"
        return f"{self.text} {sign}{abs(self.points):g}"

    def as_dict(self) -> dict:
        return {"text": self.text, "points": self.points, "label": self.label}


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    score: float
    distance_km: float | None
    reasons: tuple[Reason, ...]
    preferred: bool = False


def _points(value: float) -> float:
    return round(value, 1)


def _field_reason(candidate: Candidate, need: Need, weights: MatchWeights) -> Reason | None:
    covered = sum(1 for item_field in need.item_fields if item_field == candidate.field)
    if not covered:
        return None
    total = len(need.item_fields)
    text = "领域对口" if covered == total else f"领域对口，覆盖 {covered}/{total} 个服务项目"
    return Reason(text, _points(weights.field * covered / total))


def specialty_matches(specialties: Iterable[str], terms: Iterable[str], min_length: int = 2
                      ) -> dict[str, list[str]]:
    """For each specialty, the order's words it contains (a specialty is a short phrase, so a substring test)."""
    usable = [term for term in terms if len(term) >= min_length]
    found: dict[str, list[str]] = {}
    for specialty in specialties:
        hits = [term for term in usable if term in specialty]
        if hits:
            found[specialty] = hits
    return found


def _specialty_reason(candidate: Candidate, need: Need, weights: MatchWeights,
                      cache: dict[str, list[str]] | None) -> Reason | None:
    usable = {term: weight for term, weight in need.terms.items() if len(term) >= weights.min_term_length}
    total = sum(usable.values())
    if not total or not candidate.specialties:
        return None
    matched: set[str] = set()
    phrases: list[str] = []
    for specialty in candidate.specialties:
        if cache is not None and specialty in cache:
            hits = cache[specialty]
        else:
            hits = [term for term in usable if term in specialty]
            if cache is not None:
                cache[specialty] = hits
        if hits:
            phrases.append(specialty)
            matched.update(hits)
    if not matched:
        return None
    share = sum(usable[term] for term in matched) / total
    points = _points(weights.specialty * min(1.0, share / weights.specialty_saturation))
    return Reason(f"专长与需求描述吻合：{'、'.join(phrases[:3])}", points)


def distance_km(candidate: Candidate, need: Need) -> float | None:
    if candidate.latitude is None or candidate.longitude is None:
        return None
    return haversine_m(candidate.latitude, candidate.longitude, need.latitude, need.longitude) / 1000


def _distance_reason(km: float, weights: MatchWeights) -> Reason:
    points = weights.distance * weights.distance_half_km / (weights.distance_half_km + km)
    return Reason(f"距离 {km:.0f} 公里", _points(points))


def _title_reason(candidate: Candidate, need: Need, weights: MatchWeights) -> Reason | None:
    """None also when the policy leaves the candidate out; `assess` checks `title_qualifies` first."""
    label = TITLE_LABELS.get(candidate.title_level, candidate.title or "未评定")
    if not need.min_title_level:
        return None
    if title_qualifies(candidate, need):
        floor = TITLE_LABELS.get(need.min_title_level, need.min_title_level)
        return Reason(f"{label}（{floor}及以上）", _points(weights.title))
    return Reason(f"职称{label}，低于{TITLE_LABELS.get(need.min_title_level, '')}", 0.0)


def title_qualifies(candidate: Candidate, need: Need) -> bool:
    if not need.min_title_level:
        return True
    return TITLE_RANKS.get(candidate.title_level, 0) >= TITLE_RANKS.get(need.min_title_level, 0)


@dataclass(frozen=True)
class Assessment:
    """The profile-only part of a match, before load and ratings."""

    candidate: Candidate
    base: float
    distance_km: float | None
    reasons: tuple[Reason, ...]
    preferred: bool


def assess(candidate: Candidate, need: Need, weights: MatchWeights,
           cache: dict[str, list[str]] | None = None) -> Assessment | None:
    """Score what the profile says, or None when the expert cannot serve this order.

    Left out: a site beyond the expert's own service radius (or an expert
    without a location), and, when the policy requires it, a title below its
    level. The requester's named expert is never left out: the admin sees why
    they rank where they do instead.
    """
    preferred = need.preferred_expert_id == candidate.id
    reasons: list[Reason] = []
    if preferred:
        why = f"：{need.preferred_because}" if need.preferred_because else ""
        reasons.append(Reason(f"需求方点名{why}", _points(weights.preferred)))
    km = distance_km(candidate, need)
    if km is None:
        if not preferred:
            return None
        reasons.append(Reason("未登记所在位置", 0.0))
    elif km > candidate.radius_km:
        if not preferred:
            return None
        reasons.append(Reason(f"距离 {km:.0f} 公里，超出其服务半径 {candidate.radius_km:g} 公里", 0.0))
    else:
        reasons.append(_distance_reason(km, weights))
    if need.title_required and not title_qualifies(candidate, need) and not preferred:
        return None
    for reason in (_field_reason(candidate, need, weights), _specialty_reason(candidate, need, weights, cache)):
        if reason is not None:
            reasons.append(reason)
    reasons.append(Reason("可接单", 0.0) if candidate.available
                   else Reason("暂停接单", -_points(weights.unavailable)))
    title = _title_reason(candidate, need, weights)
    if title is not None:
        reasons.append(title)
    base = round(sum(reason.points for reason in reasons), 1)
    return Assessment(candidate, base, None if km is None else round(km, 1), tuple(reasons), preferred)


def _load_reason(record: Record, weights: MatchWeights) -> Reason:
    if not record.open_tasks:
        return Reason("当前无在办任务", 0.0)
    penalty = min(weights.load_max, weights.load_per_task * record.open_tasks)
    return Reason(f"当前在办任务 {record.open_tasks} 件", -_points(penalty))


def rating_points(record: Record, weights: MatchWeights) -> float:
    """Points of the average rating shrunk toward the prior: a newcomer gets zero, not a lucky 5."""
    if not record.rating_count:
        return 0.0
    prior = weights.rating_prior_mean
    mean = (prior * weights.rating_prior_count + record.rating_sum) / (weights.rating_prior_count
                                                                        + record.rating_count)
    span = (5.0 - prior) if mean >= prior else (prior - 1.0)
    return _points(weights.rating * (mean - prior) / span) if span else 0.0


def _rating_reason(record: Record, weights: MatchWeights) -> Reason:
    if not record.rating_count:
        return Reason("暂无评价", 0.0)
    average = record.rating_sum / record.rating_count
    return Reason(f"历史评价 {average:.1f} 分（{record.rating_count} 次）", rating_points(record, weights))


def finish(assessment: Assessment, record: Record, weights: MatchWeights) -> Match:
    """Add the expert's current load and past ratings."""
    reasons = (*assessment.reasons, _load_reason(record, weights), _rating_reason(record, weights))
    score = round(sum(reason.points for reason in reasons), 1)
    return Match(assessment.candidate, score, assessment.distance_km, reasons, assessment.preferred)


def score(candidate: Candidate, record: Record, need: Need, weights: MatchWeights) -> Match | None:
    """The whole match of one expert, or None when they cannot serve the order."""
    assessment = assess(candidate, need, weights)
    return None if assessment is None else finish(assessment, record, weights)


def top_by_base(assessments: Iterable[Assessment], limit: int) -> list[Assessment]:
    """The `limit` best by profile alone (the named expert always among them)."""
    return sorted(assessments, key=lambda a: (not a.preferred, -a.base, a.candidate.id))[:limit]


def contenders(assessments: Iterable[Assessment], floor: float, weights: MatchWeights) -> list[Assessment]:
    """Those who could still reach `floor` with the best ratings and no load.

    With `floor` the lowest final score among any `limit` finished matches,
    nobody left out here can enter the top `limit`.
    """
    return [a for a in assessments if a.preferred or a.base + max(weights.rating, 0.0) >= floor]


def shortlist(assessments: list[Assessment], limit: int, weights: MatchWeights) -> list[Assessment]:
    """Without any figures loaded: those who could reach the top `limit` whatever their load and ratings."""
    if len(assessments) <= limit:
        return list(assessments)
    top = top_by_base(assessments, limit)
    floor = min(a.base for a in top) - weights.load_max - weights.rating
    return contenders(assessments, floor, weights)


def rank(matches: Iterable[Match], limit: int) -> list[Match]:
    """Best first; the named expert always first; nearer first among equals."""
    return sorted(matches, key=lambda m: (not m.preferred, -m.score,
                                          m.distance_km if m.distance_km is not None else 1e9,
                                          m.candidate.id))[:limit]


@dataclass(frozen=True)
class TeamCandidate:
    id: int
    name: str
    leader_id: int
    members: tuple[tuple[int, str], ...]  # (expert id, field)


@dataclass(frozen=True)
class TeamMatch:
    team: TeamCandidate
    score: float
    reasons: tuple[Reason, ...]
    members: tuple[Match, ...]


def score_team(team: TeamCandidate, matches: Mapping[int, Match], need: Need) -> TeamMatch | None:
    """A team scores the mean, over the fields the order needs, of its best-fitting member in each field."""
    needed = need.fields
    best: dict[str, Match] = {}
    for expert_id, member_field in team.members:
        match = matches.get(expert_id)
        if match is None or member_field not in needed:
            continue
        if member_field not in best or match.score > best[member_field].score:
            best[member_field] = match
    if not best:
        return None
    reasons = [Reason(f"覆盖所需领域 {len(best)}/{len(needed)}", 0.0)]
    for needed_field in needed:
        label = need.field_labels.get(needed_field, needed_field)
        if needed_field in best:
            member = best[needed_field]
            reasons.append(Reason(f"{label}：{member.candidate.name}（{member.score:g} 分）",
                                  _points(member.score / len(needed))))
        else:
            reasons.append(Reason(f"{label}：无合适成员", 0.0))
    total = round(sum(reason.points for reason in reasons), 1)
    members = tuple(sorted(best.values(), key=lambda m: -m.score))
    return TeamMatch(team, total, tuple(reasons), members)


def rank_teams(teams: Iterable[TeamCandidate], matches: Mapping[int, Match], need: Need, limit: int
               ) -> list[TeamMatch]:
    scored = [result for team in teams if (result := score_team(team, matches, need)) is not None]
    return sorted(scored, key=lambda t: (-t.score, t.team.id))[:limit]
