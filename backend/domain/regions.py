"""Pure rules about 统计用区划代码: levels, ancestry and scope."""

from __future__ import annotations

# Digits that identify each level in a 12-digit code.
LEVEL_DIGITS = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}
LEVEL_NAMES = {"province": "省", "city": "市", "county": "县（区）", "township": "乡镇（街道）", "village": "村（社区）"}


def normalize(code: str) -> str:
    """A 6-digit 行政区划代码 or a 12-digit 统计用区划代码 as 12 digits."""
    code = str(code).strip()
    if not code.isdigit() or len(code) not in (6, 12):
        raise ValueError(f"not a region code: {code!r}")
    return code.ljust(12, "0")


def is_valid(code: str) -> bool:
    try:
        normalize(code)
    except ValueError:
        return False
    return True


def level_of(code: str) -> str:
    """The level of a 12-digit code, read from where its significant digits end."""
    code = normalize(code)
    if code[9:] != "000":
        return "village"
    if code[6:9] != "000":
        return "township"
    if code[4:6] != "00":
        return "county"
    if code[2:4] != "00":
        return "city"
    return "province"


def prefix_of(code: str) -> str:
    """The significant prefix: every code within this region starts with it."""
    code = normalize(code)
    return code[: LEVEL_DIGITS[level_of(code)]]


def is_within(code: str, scope: str) -> bool:
    """Whether `code` is `scope` itself or lies below it."""
    return normalize(code).startswith(prefix_of(scope))


def parent_code(code: str) -> str | None:
    """The 12-digit code one level up by digit structure (None for a province).

    Structural: for a county directly under a province (湖北仙桃 429004) or a
    municipality's district (北京东城 110101) it gives the pseudo-city code
    (429000…, 110100…) that the national list leaves out; use a region's
    stored parent when the real parent is needed.
    """
    code = normalize(code)
    levels = list(LEVEL_DIGITS)
    index = levels.index(level_of(code))
    if index == 0:
        return None
    return code[: LEVEL_DIGITS[levels[index - 1]]].ljust(12, "0")


def ancestors(code: str) -> list[str]:
    """Codes of the regions above `code`, province first, `code` excluded."""
    result: list[str] = []
    current = parent_code(code)
    while current is not None:
        result.append(current)
        current = parent_code(current)
    return result[::-1]
