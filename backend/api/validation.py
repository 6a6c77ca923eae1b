"""Request body validation with pydantic, documented in OpenAPI, errors in Chinese."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from pydantic import BaseModel, ValidationError
from sanic import Request
from sanic_ext import openapi

from backend.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)

_MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda ctx: "此项必填",
    "string_type": lambda ctx: "应为文字",
    "int_type": lambda ctx: "应为整数",
    "int_parsing": lambda ctx: "应为整数",
    "float_type": lambda ctx: "应为数字",
    "float_parsing": lambda ctx: "应为数字",
    "bool_type": lambda ctx: "应为是或否",
    "bool_parsing": lambda ctx: "应为是或否",
    "list_type": lambda ctx: "应为列表",
    "dict_type": lambda ctx: "应为对象",
    "model_type": lambda ctx: "应为对象",
    "string_too_short": lambda ctx: f"至少 {ctx.get('min_length')} 个字符",
    "string_too_long": lambda ctx: f"最多 {ctx.get('max_length')} 个字符",
    "too_short": lambda ctx: f"至少 {ctx.get('min_length')} 项",
    "too_long": lambda ctx: f"最多 {ctx.get('max_length')} 项",
    "greater_than_equal": lambda ctx: f"不能小于 {ctx.get('ge')}",
    "less_than_equal": lambda ctx: f"不能大于 {ctx.get('le')}",
    "greater_than": lambda ctx: f"应大于 {ctx.get('gt')}",
    "less_than": lambda ctx: f"应小于 {ctx.get('lt')}",
    "string_pattern_mismatch": lambda ctx: "格式不正确",
    "enum": lambda ctx: f"只能是以下之一：{ctx.get('expected')}",
    "literal_error": lambda ctx: f"只能是以下之一：{ctx.get('expected')}",
    "datetime_parsing": lambda ctx: "时间格式不正确",
    "datetime_type": lambda ctx: "时间格式不正确",
    "date_parsing": lambda ctx: "日期格式不正确",
    "extra_forbidden": lambda ctx: "不认识的字段",
}


def chinese_message(error: dict[str, Any]) -> str:
    """A Chinese sentence for one pydantic error; custom validators supply their own."""
    if error["type"] == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    render = _MESSAGES.get(error["type"])
    return render(error.get("ctx") or {}) if render else "格式不正确"


def parse(model: type[M], data: Any) -> M:
    """Validate `data` as `model` or raise ValidationFailed with one message per field."""
    if data is None:
        raise ValidationFailed("请求内容应为 JSON 对象", fields={"body": "请求内容不能为空"})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors(include_url=False):
            path = ".".join(str(part) for part in error["loc"]) or "body"
            fields.setdefault(path, chinese_message(error))
        raise ValidationFailed(fields=fields) from None


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inline_refs(value, defs) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    return node


def openapi_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with nested definitions inlined, `required` kept."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})
    return _inline_refs(schema, defs)


def json_body(model: type[BaseModel]):
    """Document `model` as the JSON body and pass the validated instance as `body`."""

    def decorator(handler):
        @wraps(handler)
        async def wrapper(request: Request, *args, **kwargs):
            try:
                data = request.json
            except Exception:
                raise ValidationFailed("请求内容不是合法的 JSON", fields={"body": "JSON 格式错误"}) from None
            return await handler(request, *args, body=parse(model, data), **kwargs)

        return openapi.body({"application/json": openapi_schema(model)}, required=True)(wrapper)

    return decorator


def query_args(model: type[BaseModel]):
    """Validate the query string as `model` and pass it as `query`."""

    def decorator(handler):
        @wraps(handler)
        async def wrapper(request: Request, *args, **kwargs):
            data = {key: values[-1] for key, values in request.args.items()}
            return await handler(request, *args, query=parse(model, data), **kwargs)

        return wrapper

    return decorator
