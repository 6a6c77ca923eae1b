"""An admin's queue: the first rows and how many are waiting in all (services/queues.py)."""

from backend.models import Region
from backend.services.queues import first_of_queue


async def test_a_full_page_is_counted_and_a_short_one_is_its_own_total(resources):
    villages = Region.filter(level="village").order_by("code")
    every = await villages.values_list("code", flat=True)
    assert len(every) > 3

    full = await first_of_queue(villages, lambda region: region.code, limit=3)
    assert full == {"items": every[:3], "total": len(every)}

    short = await first_of_queue(villages, lambda region: region.code, limit=len(every) + 1)
    assert short == {"items": every, "total": len(every)}
