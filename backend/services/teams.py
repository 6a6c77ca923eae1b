"""专家服务团: a leader, core experts and members, for a three-year term (团长负责制)."""

from __future__ import annotations

from datetime import date

from tortoise.transactions import in_transaction

from backend.domain import regions
from backend.domain.roles import scope_admits
from backend.errors import NotFound, OutOfRegion, ValidationFailed
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord, ExpertProfile, ServiceTeam, TeamMember

TERM_YEARS = 3


def term_end(start: date) -> date:
    try:
        return start.replace(year=start.year + TERM_YEARS)
    except ValueError:  # 29 February
        return start.replace(year=start.year + TERM_YEARS, day=28)


async def _view(team: ServiceTeam) -> dict:
    members = await TeamMember.filter(team_id=team.id).prefetch_related("expert").order_by("id")
    return {
        "id": team.id, "name": team.name, "field": team.field, "region_code": team.region_code,
        "leader_id": team.leader_id, "term_start": team.term_start.isoformat(), "term_end": team.term_end.isoformat(),
        "members": [{"expert_id": m.expert_id, "name": m.expert.name, "title": m.expert.title,
                     "position": m.position} for m in members],
    }


async def create_team(claims: AccessClaims, data) -> dict:
    if not scope_admits(claims.region_code, data.region_code):
        raise OutOfRegion()
    positions = {data.leader_id: "leader"}
    for expert_id in data.core_ids:
        positions.setdefault(expert_id, "core")
    for expert_id in data.member_ids:
        positions.setdefault(expert_id, "member")
    experts = {e.id: e for e in await ExpertProfile.filter(id__in=list(positions))}
    missing = [str(i) for i in positions if i not in experts]
    if missing:
        raise ValidationFailed(fields={"member_ids": f"专家不存在：{'、'.join(missing)}"})
    unverified = [experts[i].name for i in positions if experts[i].status != "verified"]
    if unverified:
        raise ValidationFailed(fields={"member_ids": f"以下专家尚未通过审核：{'、'.join(unverified)}"})
    async with in_transaction() as conn:
        team = await ServiceTeam.create(
            using_db=conn, name=data.name, field=data.field, region_code=regions.normalize(data.region_code),
            leader_id=data.leader_id, term_start=data.term_start, term_end=term_end(data.term_start),
            created_by_id=claims.user_id,
        )
        await TeamMember.bulk_create(
            [TeamMember(team_id=team.id, expert_id=i, position=p) for i, p in positions.items()], using_db=conn
        )
        await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role,
                                 action="team_created", subject_type="team", subject_id=str(team.id),
                                 region_code=team.region_code, detail={"members": len(positions)})
    return await _view(team)


async def list_teams(claims: AccessClaims) -> list[dict]:
    teams = await ServiceTeam.filter(region_code__startswith=regions.prefix_of(claims.region_code)).order_by("id")
    return [await _view(team) for team in teams]


async def get_team(claims: AccessClaims, team_id: int) -> dict:
    team = await ServiceTeam.get_or_none(id=team_id)
    if team is None or not scope_admits(claims.region_code, team.region_code):
        raise NotFound("找不到该服务团")
    return await _view(team)
