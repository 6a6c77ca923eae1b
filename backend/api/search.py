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
from backend.schemas.orders import OrderQuery
from backend.services import search

bp = Blueprint("search", url_prefix="/api/v1")


class OrderSearch(OrderQuery):
    q: str = Field(min_length=1, max_length=100, description="关键词，按中文分词检索，如「苹果树 黑斑」")


async def warm_up() -> None:
    """Load jieba's dictionary, then take what the worker holds for good out of the cyclic collector's reach.

    The dictionary and the app's modules are hundreds of thousands of objects that live as long as the
    worker. Every full collection walked them all: 50-200 ms pauses of the event loop about every half
    minute under load (bench, two workers). Frozen, a full collection walks only what came after.
    """
    await text.ready()
    gc.freeze()


@bp.listener("after_server_start")
async def load_dictionary(app) -> None:
    # jieba's dictionary takes a second or more to load: warm it up in a thread in the background,
    # so the worker is ready at once and a shutdown is never stuck behind it.
    app.add_task(warm_up(), name="jieba-warm-up")


@bp.get("/orders/search")
@openapi.summary("需求库检索：按关键词（中文分词）查找本人可见的需求单，相关度高者在前")
@authenticated()
@query_args(OrderSearch)
async def search_orders(request: Request, query: OrderSearch):
    return json(await search.search_orders(request.app.ctx.settings, request.ctx.auth, query))
