"""The bench report: machine, versions, commands, each figure against its target (Markdown and JSON)."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

OPS = {"<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b, "==": lambda a, b: a == b}
# Where a run's CPU per request went (cpu.py), in the order the tables show it.
CPU_SIDES = ("app", "postgres", "redis", "wrk", "total")


def _run(*cmd: str) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (out.stdout or out.stderr).strip()
    except (OSError, subprocess.SubprocessError):
        return "not found"


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        match = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = match.group(1).strip() if match else cpu
    except OSError:
        pass
    mem_kb = 0
    try:
        match = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
        mem_kb = int(match.group(1)) if match else 0
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    return {"nproc": os.cpu_count(), "memory_gib": round(mem_kb / 1024 / 1024, 1), "kernel": platform.release(),
            "cpu": cpu, "loadavg_at_start": [round(x, 2) for x in load]}


def versions(python: str) -> dict[str, str]:
    def first_line(text: str) -> str:
        return text.splitlines()[0] if text else "not found"

    def pkg(name: str) -> str:
        return _run(python, "-c", f"import importlib.metadata as m; print(m.version('{name}'))")

    return {
        "python": first_line(_run(python, "--version")),
        "sanic": pkg("sanic"), "tortoise-orm": pkg("tortoise-orm"), "asyncpg": pkg("asyncpg"),
        "redis-py": pkg("redis"),
        "postgresql": first_line(_run("psql", "-h", "127.0.0.1", "-U", "postgres", "-At", "-c", "SHOW server_version")),
        "redis": first_line(_run("redis-cli", "-h", "127.0.0.1", "INFO", "server")
                            .replace("\r", "").split("redis_version:")[-1]),
        "wrk": first_line(_run("wrk", "--version")),
    }


def judge(scenario: dict) -> dict:
    """Set `pass` on each target ({metric, op, bound}) and on the scenario; missing metrics fail."""
    results = []
    for target in scenario.get("targets", []):
        value = scenario.get(target["metric"])
        ok = value is not None and OPS[target["op"]](value, target["bound"])
        results.append(target | {"value": value, "pass": ok})
    scenario["targets"] = results
    scenario["pass"] = bool(results) and all(t["pass"] for t in results) and not scenario.get("invalid")
    return scenario


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:,.0f}" if value >= 100 else f"{value:.2f}" if value < 10 else f"{value:.1f}"
    else:
        text = f"{value:,}" if isinstance(value, int) else str(value)
    return f"{text}{unit}"


def _target_text(scenario: dict) -> str:
    words = {"ratio": "× ceiling", "p99_ms": "ms p99", "value_ms": "ms", "max_rss_mb": "MB RSS",
             "lost": "lost", "doubled": "doubled", "error_rate": "errors"}
    return ", ".join(f"{words.get(t['metric'], t['metric'])} {t['op']} {t['bound']}" for t in scenario["targets"])


def table_rows(scenarios: list[dict]) -> list[list[str]]:
    """scenario, measured, ceiling, ratio, target, result."""
    rows = []
    for s in scenarios:
        if "throughput_rps" in s:
            measured = f"{_fmt(s['throughput_rps'])} req/s, p50 {_fmt(s.get('p50_ms'))} ms, p99 {_fmt(s.get('p99_ms'))} ms"
        elif "value_ms" in s:
            measured = f"{_fmt(s['value_ms'])} ms"
        elif "max_rss_mb" in s:
            measured = f"max {_fmt(s['max_rss_mb'])} MB ({', '.join(_fmt(w['rss_mb']) for w in s.get('workers', []))})"
        elif "p99_ms" in s:
            measured = f"{s.get('requests', 0)} req in {_fmt(s.get('elapsed_s'))} s, p99 {_fmt(s['p99_ms'])} ms, " \
                       f"lost {s.get('lost')}, doubled {s.get('doubled')}"
        else:
            measured = s.get("measured", "—")
        ceiling = f"{s['ceiling']}: {_fmt(s['ceiling_rps'])} req/s" if s.get("ceiling_rps") else "—"
        ratio = f"{s['ratio']:.3f}" if s.get("ratio") is not None else "—"
        result = "skipped" if s.get("skipped") else "PASS" if s.get("pass") else "FAIL"
        rows.append([s["label"], measured, ceiling, ratio, _target_text(s) if s.get("targets") else "—", result])
    return rows


def cpu_section(scenarios: list[dict]) -> list[str]:
    """CPU per request of each side, for each throughput scenario and the ceiling run beside it."""
    measured = [s for s in scenarios if s.get("cpu") and s.get("ceiling_cpu")]
    if not measured:
        return []

    def row(label: str, cpu: dict, ratio: str) -> str:
        sides = " | ".join(_fmt(cpu.get(f"{side}_us")) for side in CPU_SIDES)
        return f"| {label} | {sides} | {ratio} |"

    lines = ["## CPU per request", "",
             "Microseconds of CPU per request, from /proc, over each wrk run. Waiting for the CPU is not counted, "
             "so these move far less between runs than throughput does. CPU ratio: the ceiling's total over the "
             "scenario's.", "",
             "| run | app | PostgreSQL | Redis | wrk | total | CPU ratio |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for s in measured:
        lines.append(row(s["label"], s["cpu"], f"{s['cpu_ratio']:.3f}"))
        lines.append(row(f"ceiling beside it ({s['ceiling']})", s["ceiling_cpu"], "—"))
    return lines + [""]


def floor_section(scenarios: list[dict]) -> list[str]:
    """Each throughput scenario beside its floor: the same requests answered with the fewest calls (floor.py)."""
    measured = [s for s in scenarios if s.get("floor")]
    if not measured:
        return []
    lines = ["## The floor: each scenario with the fewest calls this stack allows", "",
             "The same requests, sent right after the scenario to the ceiling app's floor routes (`floor.py`), "
             "answered with the backend's token codecs and Redis client and nothing else the backend does (roles, "
             "privacy, views, rate limits, metrics, logs): a check-in as its target describes it, a bare row "
             "written (no audit records, no move of the order); the list and an order with the backend's own "
             "statement (and an order's body validated by the API's model). The floor ratio is the floor's "
             "throughput over the same ceiling: a target above it cannot be reached on these libraries (for the "
             "list and an order, with what the backend's statements read and write). Informative only: the "
             "targets stay on the scenario's own ratio.", "",
             "| scenario | target | scenario's ratio | floor | floor ratio | scenario / floor | floor CPU µs/request "
             "(app, PostgreSQL, Redis, wrk, total) |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for s in measured:
        floor = s["floor"]
        target = next((t["bound"] for t in s.get("targets", []) if t["metric"] == "ratio"), None)
        cpu = floor.get("cpu") or {}
        sides = ", ".join(_fmt(cpu.get(f"{side}_us")) for side in CPU_SIDES)
        lines.append(f"| {s['label']} | {_fmt(target)} | {s['ratio']:.3f} | {_fmt(floor['ok_rps'])} req/s, p99 "
                     f"{_fmt(floor.get('p99_ms'))} ms | {s['floor_ratio']:.3f} | {s['share_of_floor']:.3f} | "
                     f"{sides if cpu else '—'} |")
    return lines + [""]


def pieces_section(rows: list[dict]) -> list[str]:
    """CPU per call of each piece of a check-in, and of placing an order's statement, run on its own (pieces.py)."""
    if not rows:
        return []
    return ["## The pieces of a check-in and of placing an order, one at a time", "",
            "CPU per call of each piece run on its own, in a row, with nothing else in flight (`pieces.py`): this "
            "process's for client-side work, the PostgreSQL backend's for statements.", "",
            "| piece | charged to | µs per call | calls |", "| --- | --- | --- | --- |",
            *[f"| {r['piece']} | {r['side']} | {_fmt(r['us_per_call'])} | {r['calls']:,} |" for r in rows], ""]


def _timings_section(title: str, intro: str, first: tuple[str, str], rows: list[dict]) -> list[str]:
    """A table of in-process timings: the first column as `first` = (heading, row key), then list and ms."""
    if not rows:
        return []
    heading, key = first
    return [f"## {title}", "", intro, "", f"| {heading} | list | median ms | first call ms |",
            "| --- | --- | --- | --- |",
            *[f"| {r[key]} | {r['list']} | {_fmt(r['median_ms'])} | {_fmt(r['first_ms'])} |" for r in rows], ""]


def areas_section(rows: list[dict]) -> list[str]:
    """A local admin's lists in a quiet county, a busy one and a village (areas.py)."""
    return _timings_section(
        "An area's lists", "Each list called through its service as the area's local admin; median of the calls "
        "after the first.", ("area", "label"), [r | {"label": f"{r['area']} ({r['region_code']})"} for r in rows])


def history_section(rows: list[dict]) -> list[str]:
    """A person's newest page by how many orders they have (history.py)."""
    return _timings_section(
        "A person's newest page, by history", "Each page called through its service as the person; median of the "
        "calls after the first. The last rows are after more closed orders were given to the busiest.",
        ("person (orders)", "label"), [r | {"label": f"{r['person']} ({r['orders']:,})"} for r in rows])


def markdown(report: dict) -> str:
    m, v = report["machine"], report["versions"]
    lines = [
        f"# Bench report — {report['started_at']}",
        "",
        f"Mode: **{report['mode']}** · duration per wrk scenario {report['duration_s']} s · "
        f"{report['connections']} connections · backend and ceiling with {report['workers']} workers, "
        f"DB pool {report['pool_size']} each.",
        "",
        "## Machine",
        "",
        f"- nproc {m['nproc']}, memory {m['memory_gib']} GiB, kernel {m['kernel']}",
        f"- CPU: {m['cpu']}",
        f"- load average at start: {m['loadavg_at_start']} (shared machine: other engineers' tests run too; "
        "ratios to the ceiling, measured minutes apart on the same machine, are what count)",
        "",
        "## Versions",
        "",
        *[f"- {name}: {value}" for name, value in v.items()],
        "",
        "## Data",
        "",
        *[f"- {table}: {count:,} rows" for table, count in report.get("data", {}).items()],
        "",
        "## Results",
        "",
        "| scenario | measured | ceiling | ratio | target | result |",
        "| --- | --- | --- | --- | --- | --- |",
        *["| " + " | ".join(row) + " |" for row in table_rows(report["scenarios"])],
        "",
    ]
    lines += cpu_section(report["scenarios"])
    lines += floor_section(report["scenarios"])
    lines += pieces_section(report.get("pieces", []))
    lines += areas_section(report.get("areas", []))
    lines += history_section(report.get("history", []))
    notes = [f"- **{s['label']}**: {s['note']}" for s in report["scenarios"] if s.get("note")]
    if notes:
        lines += ["## Notes", "", *notes, ""]
    lines += ["## Commands", "", "```", *report["commands"], "```", ""]
    return "\n".join(lines)


def write(report: dict, out_dir: Path) -> tuple[Path, Path]:
    """Judge every scenario and write report.json and report.md into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for scenario in report["scenarios"]:
        if not scenario.get("skipped"):
            judge(scenario)
    report.setdefault("started_at", datetime.now().isoformat(timespec="seconds"))
    json_path, md_path = out_dir / "report.json", out_dir / "report.md"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    md_path.write_text(markdown(report), encoding="utf-8")
    return json_path, md_path
