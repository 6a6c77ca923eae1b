import pytest

from backend.domain import matching
from backend.domain.matching import Candidate, MatchWeights, Need, Record

SITE = (45.034, 127.09)
WEIGHTS = MatchWeights()


def need(**overrides) -> Need:
    values = dict(item_fields=("planting",), latitude=SITE[0], longitude=SITE[1],
                  terms={"苹果": 2.0, "果树": 2.5, "苹果树": 3.0, "黑斑": 4.0, "叶子": 1.5},
                  field_labels={"planting": "种植技术", "livestock": "畜牧兽医"})
    values.update(overrides)
    return Need(**values)


def expert(expert_id=1, *, field="planting", specialties=("作物栽培",), title_level="associate_senior",
           at=(45.10, 127.10), radius_km=100.0, available=True, name=None) -> Candidate:
    return Candidate(id=expert_id, name=name or f"专家{expert_id}", field=field, specialties=tuple(specialties),
                     title_level=title_level, latitude=at[0], longitude=at[1], radius_km=radius_km,
                     available=available)


def texts(match) -> list[str]:
    return [reason.text for reason in match.reasons]


def test_a_specialist_outranks_a_generalist_of_the_same_field():
    specialist = matching.score(expert(1, specialties=("苹果黑斑病", "果树病虫害")), Record(), need(), WEIGHTS)
    generalist = matching.score(expert(2, specialties=("作物栽培",)), Record(), need(), WEIGHTS)
    assert specialist.score > generalist.score
    assert any(text.startswith("专长与需求描述吻合：苹果黑斑病") for text in texts(specialist))
    assert not any(text.startswith("专长") for text in texts(generalist))


def test_a_near_expert_outranks_a_far_one():
    near = matching.score(expert(1, at=(45.05, 127.10)), Record(), need(), WEIGHTS)
    far = matching.score(expert(2, at=(45.60, 127.60), radius_km=300), Record(), need(), WEIGHTS)
    assert near.distance_km < 5 < 60 < far.distance_km
    assert near.score > far.score


def test_a_site_beyond_the_experts_own_radius_leaves_them_out():
    assert matching.score(expert(at=(45.90, 127.09), radius_km=50), Record(), need(), WEIGHTS) is None
    assert matching.score(expert(at=(45.90, 127.09), radius_km=120), Record(), need(), WEIGHTS) is not None


def test_an_expert_without_a_location_is_left_out():
    assert matching.score(expert(at=(None, None)), Record(), need(), WEIGHTS) is None


def test_open_tasks_lower_the_score_up_to_a_cap():
    idle = matching.score(expert(), Record(), need(), WEIGHTS)
    busy = matching.score(expert(), Record(open_tasks=2), need(), WEIGHTS)
    swamped = matching.score(expert(), Record(open_tasks=50), need(), WEIGHTS)
    assert idle.score - busy.score == pytest.approx(2 * WEIGHTS.load_per_task)
    assert idle.score - swamped.score == pytest.approx(WEIGHTS.load_max)
    assert "当前在办任务 2 件 −6" in [reason.label for reason in busy.reasons]


def test_one_five_star_rating_counts_less_than_many():
    once = matching.rating_points(Record(rating_sum=5, rating_count=1), WEIGHTS)
    often = matching.rating_points(Record(rating_sum=5 * 30, rating_count=30), WEIGHTS)
    assert 0 < once < often <= WEIGHTS.rating


def test_poor_ratings_cost_points_and_no_ratings_cost_nothing():
    assert matching.rating_points(Record(rating_sum=2 * 10, rating_count=10), WEIGHTS) < 0
    assert matching.rating_points(Record(), WEIGHTS) == 0


def test_the_title_policy_rewards_associate_senior_and_above():
    senior = matching.score(expert(title_level="senior"), Record(), need(), WEIGHTS)
    intermediate = matching.score(expert(title_level="intermediate"), Record(), need(), WEIGHTS)
    assert senior.score - intermediate.score == pytest.approx(WEIGHTS.title)
    assert "正高级（副高级及以上）" in texts(senior)


def test_a_strict_title_policy_leaves_lower_titles_out():
    strict = need(title_required=True)
    assert matching.score(expert(title_level="intermediate"), Record(), strict, WEIGHTS) is None
    assert matching.score(expert(title_level="associate_senior"), Record(), strict, WEIGHTS) is not None


def test_an_expert_covering_part_of_the_items_gets_part_of_the_field_points():
    two_fields = need(item_fields=("planting", "livestock"))
    match = matching.score(expert(), Record(), two_fields, WEIGHTS)
    field_reason = next(r for r in match.reasons if r.text.startswith("领域对口"))
    assert field_reason.text == "领域对口，覆盖 1/2 个服务项目"
    assert field_reason.points == WEIGHTS.field / 2


def test_every_match_explains_itself_and_its_reasons_add_up_to_its_score():
    match = matching.score(expert(specialties=("苹果黑斑病",)), Record(open_tasks=1, rating_sum=9, rating_count=2),
                           need(), WEIGHTS)
    labels = [reason.label for reason in match.reasons]
    assert "领域对口 +30" in labels and "可接单" in labels
    assert any(label.startswith("距离 ") for label in labels)
    assert any(label.startswith("历史评价 4.5 分（2 次）") for label in labels)
    assert match.score == pytest.approx(sum(reason.points for reason in match.reasons), abs=0.2)


def test_the_requesters_named_expert_comes_first_even_beyond_their_radius():
    named = need(preferred_expert_id=7, preferred_because="成果《寒地苹果栽培》")
    far = matching.score(expert(7, at=(46.5, 128.5), radius_km=20), Record(), named, WEIGHTS)
    close = matching.score(expert(8, specialties=("苹果黑斑病",), at=(45.04, 127.09)), Record(), named, WEIGHTS)
    assert far is not None and far.preferred
    assert "需求方点名：成果《寒地苹果栽培》" in texts(far)
    assert any("超出其服务半径" in text for text in texts(far))
    assert [m.candidate.id for m in matching.rank([close, far], 10)] == [7, 8]


def test_leaving_out_who_cannot_reach_the_top_changes_no_ranking():
    specialties = [("苹果黑斑病",), ("果树病虫害",), ("作物栽培",), ("苹果树修剪", "黑斑病防治")]
    assessments = [matching.assess(expert(i, specialties=specialties[i % 4], at=(45.03 + i * 0.01, 127.09),
                                          title_level=("senior", "intermediate")[i % 2]), need(), WEIGHTS)
                   for i in range(60)]
    records = {a.candidate.id: Record(rating_sum=5 * 50, rating_count=50) if a.candidate.id % 7 == 0
               else Record(open_tasks=a.candidate.id % 4) for a in assessments}

    def finished(some):
        return [matching.finish(a, records[a.candidate.id], WEIGHTS) for a in some]

    everyone = [m.candidate.id for m in matching.rank(finished(assessments), 5)]
    loose = matching.shortlist(assessments, 5, WEIGHTS)
    floor = min(m.score for m in finished(matching.top_by_base(assessments, 5)))
    tight = matching.contenders(assessments, floor, WEIGHTS)
    assert len(tight) < len(assessments) and len(tight) <= len(loose)
    assert [m.candidate.id for m in matching.rank(finished(loose), 5)] == everyone
    assert [m.candidate.id for m in matching.rank(finished(tight), 5)] == everyone


def test_weights_come_from_one_override_string():
    weights = MatchWeights.parse("field=50, distance=5,rating_prior_count=10")
    assert (weights.field, weights.distance, weights.rating_prior_count) == (50, 5, 10)
    assert weights.specialty == MatchWeights().specialty
    with pytest.raises(matching.WeightsError):
        MatchWeights.parse("charm=3")
    with pytest.raises(matching.WeightsError):
        MatchWeights.parse("field=lots")


def test_a_team_is_ranked_by_its_best_member_in_each_needed_field():
    two_fields = need(item_fields=("planting", "livestock"))
    planter = matching.score(expert(1, specialties=("苹果黑斑病",)), Record(), two_fields, WEIGHTS)
    vet = matching.score(expert(2, field="livestock"), Record(), two_fields, WEIGHTS)
    matches = {1: planter, 2: vet}
    both = matching.TeamCandidate(10, "综合服务团", 1, ((1, "planting"), (2, "livestock")))
    half = matching.TeamCandidate(11, "种植服务团", 1, ((1, "planting"),))
    ranked = matching.rank_teams([half, both], matches, two_fields, 5)
    assert [team.team.id for team in ranked] == [10, 11]
    assert ranked[0].reasons[0].text == "覆盖所需领域 2/2"
    assert ranked[1].reasons[0].text == "覆盖所需领域 1/2"
    assert "畜牧兽医：无合适成员" in [reason.text for reason in ranked[1].reasons]


def test_an_order_spanning_fields_or_many_items_needs_a_team():
    assert need(item_fields=("planting", "livestock")).needs_team
    assert need(item_fields=("planting",) * 3).needs_team
    assert not need(item_fields=("planting", "planting")).needs_team
