"""The app's route table, as "METHOD path" keys."""

from __future__ import annotations

from sanic import Sanic

EXCLUDED_PREFIXES = ("docs",)


def route_keys(app: Sanic) -> set[str]:
    keys = set()
    for route in app.router.routes:
        path = route.path.lstrip("/")
        if path.startswith(EXCLUDED_PREFIXES):
            continue
        for method in route.methods:
            if method in {"HEAD", "OPTIONS"}:
                continue
            keys.add(f"{method} {path}")
    return keys


def url_for(path_pattern: str, params: dict) -> str:
    """Fill `<name:type>` segments of a route pattern."""
    parts = []
    for segment in path_pattern.split("/"):
        if segment.startswith("<") and ">" in segment:
            name = segment[1:segment.index(">")].split(":", 1)[0]
            rest = segment[segment.index(">") + 1:]
            segment = f"{params[name]}{rest}"
        parts.append(segment)
    return "/" + "/".join(parts)
