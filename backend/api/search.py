"""需求库 search: orders found by their words, within the caller's own scope."""

from __future__ import annotations

import gc

from pydantic import Field
from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from backend.api.deps import authenticated
from backend.api.validation import query_args
from backend.domain import text
from backend.infra import heap
from backend.schemas.orders import OrderQuery
from backend.services import search

bp = Blueprint("search", url_prefix="/api/v1")


class OrderSearch(OrderQuery):
    q: str = Field(min_length=1, max_length=100, description="关键词，按中文分词检索，如「苹果树 黑斑」")


@bp.listener("before_server_start")
async def load_dictionary(app) -> None:
    """Load jieba's dictionary before the worker takes requests, hand back what building it took, and take
    what the worker holds for good out of the cyclic collector's reach.

    The build takes about a second and peaks about 35 MB above the 3 MB it keeps (backend.domain.segmenter).
    It runs on this thread, not a helper: glibc gives a helper thread an arena of its own, and `malloc_trim`
    returned only half of what the build had used there, leaving about 15 MB in every worker for good.

    The app's modules and what they load are objects that live as long as the worker. Every full collection
    walked them all: 50-200 ms pauses of the event loop about every half minute under load (bench, two
    workers, when jieba's dictionary was still a dict of 498,000 Python strings). Frozen, a full collection
    walks only what came after.
    """
    text.load()
    heap.release_free_memory()
    gc.freeze()


@bp.get("/orders/search")
@openapi.summary("需求库检索：按关键词（中文分词）查找本人可见的需求单，相关度高者在前")
@authenticated()
@query_args(OrderSearch)
async def search_orders(request: Request, query: OrderSearch):
    return json(await search.search_orders(request.app.ctx.settings, request.ctx.auth, query))
