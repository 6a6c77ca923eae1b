"""Request body validation with pydantic, documented in OpenAPI, errors in Chinese."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from pydantic import BaseModel, ValidationError
from sanic import Request
from sanic_ext import openapi
from sanic_ext.extensions.openapi.types import Schema

from backend.api.docs import keep_docs
from backend.domain.storable import CONTROL_MESSAGE, RANGE_MESSAGE, fits_int64, has_control_characters
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


def _unstorable(data: Any, path: str = "") -> dict[str, str]:
    """The fields of `data` (JSON values, nested) the app cannot store: text with a control character, an
    integer beyond 64 bits (`domain.storable`)."""
    found: dict[str, str] = {}
    if isinstance(data, str):
        if has_control_characters(data):
            found[path or "body"] = CONTROL_MESSAGE
    elif isinstance(data, int) and not isinstance(data, bool):
        if not fits_int64(data):
            found[path or "body"] = RANGE_MESSAGE
    elif isinstance(data, dict):
        for key, value in data.items():
            found.update(_unstorable(value, f"{path}.{key}" if path else str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.update(_unstorable(value, f"{path}.{index}" if path else str(index)))
    return found


def parse(model: type[M], data: Any) -> M:
    """Validate `data` as `model` or raise ValidationFailed with one message per field."""
    if data is None:
        raise ValidationFailed("请求内容应为 JSON 对象", fields={"body": "请求内容不能为空"})
    refused = _unstorable(data)
    if refused:
        raise ValidationFailed(fields=refused)
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


def _openapi30(node: Any) -> Any:
    """pydantic's JSON Schema (2020-12) in OpenAPI 3.0's dialect, which /docs/openapi.json declares.

    `anyOf` with a null branch becomes `nullable`, and a numeric `exclusiveMinimum`/`exclusiveMaximum`
    becomes the bound with the boolean flag.
    """
    if isinstance(node, list):
        return [_openapi30(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _openapi30(value) for key, value in node.items()}
    branches = node.get("anyOf")
    if isinstance(branches, list) and {"type": "null"} in branches:
        rest = [branch for branch in branches if branch != {"type": "null"}]
        del node["anyOf"]
        node = ({**rest[0], **node} if len(rest) == 1 else {**node, "anyOf": rest}) | {"nullable": True}
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = node.get(exclusive)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            node[bound], node[exclusive] = value, True
    return node


def openapi_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with nested definitions inlined, `required` kept, in OpenAPI 3.0's dialect."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})
    return _openapi30(_inline_refs(schema, defs))


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

        wrapper.json_body_model = model
        return openapi.body({"application/json": openapi_schema(model)}, required=True)(keep_docs(wrapper, handler))

    return decorator


def _query_parameter_schema(prop: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema from the model's property: an absent parameter is its null, so not nullable."""
    left_out = {"title", "description", "nullable"} | ({"default"} if prop.get("default") is None else set())
    return {key: value for key, value in prop.items() if key not in left_out}


def query_args(model: type[BaseModel]):
    """Document `model`'s fields as query parameters, validate the query string as `model` and pass it as `query`."""
    schema = openapi_schema(model)
    required = set(schema.get("required", ()))

    def decorator(handler):
        @wraps(handler)
        async def wrapper(request: Request, *args, **kwargs):
            data = {key: values[-1] for key, values in request.args.items()}
            return await handler(request, *args, query=parse(model, data), **kwargs)

        wrapper.query_model = model
        keep_docs(wrapper, handler)
        for name, prop in schema.get("properties", {}).items():
            wrapper = openapi.parameter(name, Schema(**_query_parameter_schema(prop)), "query",
                                        required=name in required, description=prop.get("description"))(wrapper)
        return wrapper

    return decorator
