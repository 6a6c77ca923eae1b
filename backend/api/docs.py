"""OpenAPI documentation that survives the app's own decorators.

sanic-ext documents a route from what was recorded on its outermost function only. Its own
decorators (`openapi.body`) move what was recorded on the function they wrap to the one they
return; the app's decorators (`authenticated`, `rate_limited`, `json_body`, `query_args`) do the
same through `keep_docs`, so a body or a query parameter documented below `@authenticated` still
reaches /docs/openapi.json.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from sanic_ext.extensions.openapi.builders import OperationStore

F = TypeVar("F", bound=Callable)


def keep_docs(wrapper: F, handler: Callable) -> F:
    """Move the documentation recorded on `handler` to `wrapper`, which replaces it as the route's handler."""
    store = OperationStore()
    if handler in store:
        store[wrapper] = store.pop(handler)
    return wrapper
