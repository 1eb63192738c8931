"""The Grafana dashboards: provisioned, every query parses and names only metrics and labels that MIRAGE or an exporter provides."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.infra.test_alerts import promtool
from tests.infra.test_compose import (
    ROOT,
    SOURCE_PACKAGES,
    code_metrics,
    datasources,
    environment,
    faststream_metrics,
    faststream_prefixes,
    grafana_file,
    known_metrics,
    promql_parts,
    services,
)

DASHBOARDS = ROOT / "infra/grafana/dashboards"
# Each dashboard (by title) and the metrics it must show: the runbook's four, review, JetStream, and the overview.
REQUIRED = {
    "System Overview": {"node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_filesystem_avail_bytes",
                        "node_network_receive_bytes_total", "container_cpu_usage_seconds_total", "container_memory_working_set_bytes",
                        "container_fs_writes_bytes_total", "container_network_receive_bytes_total", "process_cpu_seconds_total"},
    "Application Performance": {"mirage_http_request_seconds_bucket", "mirage_http_requests_total", "mirage_query_seconds_bucket"},
    "RAG System": {"mirage_documents_processed_total", "mirage_embedding_seconds_bucket", "mirage_search_seconds_bucket",
                   "mirage_cache_lookups_total", "jetstream_consumer_num_pending"},
    "Error Analysis": {"mirage_http_requests_total", "faststream_received_processed_messages_exceptions_total",
                       "jetstream_stream_total_messages", "mirage_documents_processed_total", "mirage_queries_total", "ALERTS"},
    "Review": {"mirage_review_cases", "mirage_review_oldest_open_seconds", "mirage_review_time_to_verdict_seconds_bucket",
               "mirage_review_deadline_breaches_total"},
    "NATS JetStream": {"jetstream_consumer_num_pending", "jetstream_consumer_num_ack_pending", "jetstream_stream_total_bytes",
                       "gnatsd_varz_jetstream_stats_storage"},
    "MIRAGE": {"mirage_uploads_total", "mirage_upload_seconds_bucket", "mirage_search_seconds_bucket", "mirage_http_requests_total",
               "faststream_received_messages_total", "faststream_received_processed_messages_total",
               "faststream_received_processed_messages_duration_seconds_bucket", "jetstream_consumer_num_pending"},
}
# Grafana's own variables, replaced by what Grafana would send, so that promtool can parse the query.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


@cache
def dashboards() -> dict[str, dict[str, Any]]:
    """File name -> dashboard, for every dashboard Grafana is provisioned with."""
    return {path.name: json.loads(path.read_text()) for path in sorted(DASHBOARDS.glob("*.json"))}


def walk(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from walk(panel.get("panels", []))


def panel_targets(board: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    for panel in walk(board["panels"]):
        for target in panel.get("targets", []):
            yield panel["title"], panel, target


def variable_queries(board: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for variable in board.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable["query"]
            yield variable["name"], query["query"] if isinstance(query, dict) else query


def for_promtool(expr: str) -> str:
    for name, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(name, value)
    return re.sub(r"\$\{?\w+\}?", ".*", expr)  # dashboard variables only ever stand inside a "..." matcher here


def check_query(where: str, expr: str, known: dict[str, set[str]]) -> set[str]:
    metrics, labels = promql_parts(expr)
    assert metrics, f"{where}: no metric in {expr!r}"
    unknown = metrics - set(known)
    assert not unknown, f"{where}: {sorted(unknown)} is exported by nothing we run"
    available = {"job", "instance"} | {label for m in metrics for label in known[m]}
    available |= {"le"} if any(m.endswith("_bucket") for m in metrics) else set()
    assert labels <= available, f"{where}: labels {sorted(labels - available)} do not exist on {sorted(metrics)}"
    return metrics


# ---------------------------------------------------------------- provisioning


def test_grafana_provisions_every_dashboard_in_the_folder() -> None:
    providers = []
    for path in sorted(grafana_file("/etc/grafana/provisioning/dashboards").glob("*.y*ml")):
        providers.extend(yaml.safe_load(path.read_text())["providers"])
    assert [grafana_file(p["options"]["path"]) for p in providers] == [DASHBOARDS]
    home = environment(services()["grafana"])["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert grafana_file(home).is_file(), f"the home dashboard {home} is not mounted"


def test_the_dashboards_are_there_once_each() -> None:
    uids = [board["uid"] for board in dashboards().values()]
    titles = [board["title"] for board in dashboards().values()]
    assert len(set(uids)) == len(uids) and len(set(titles)) == len(titles), "uids and titles must be unique"
    assert set(REQUIRED) <= set(titles), f"missing: {sorted(set(REQUIRED) - set(titles))}"
    for board in dashboards().values():
        assert "mirage" in board.get("tags", []), f"{board['title']}: tag it `mirage` so the dashboards' links list it"


def test_the_code_exports_the_metrics_the_dashboards_are_built_on() -> None:
    code = code_metrics()
    for series in ("mirage_uploads_total", "mirage_upload_seconds_bucket", "mirage_search_seconds_bucket", "mirage_http_requests_total",
                   "mirage_http_request_seconds_bucket", "mirage_documents_processed_total", "mirage_embedding_seconds_bucket"):
        assert series in code, f"{series} is no longer defined under {', '.join(SOURCE_PACKAGES)}"
    assert faststream_prefixes(), "no FastStream PrometheusMiddleware is installed: the consumer panels would be empty"
    assert "faststream_received_processed_messages_duration_seconds_bucket" in faststream_metrics()


# ---------------------------------------------------------------- queries


@pytest.mark.parametrize("name", sorted(dashboards()))
def test_every_query_uses_defined_metrics_and_labels(name: str) -> None:
    board = dashboards()[name]
    known = known_metrics()
    used: set[str] = set()
    for title, _, target in panel_targets(board):
        used |= check_query(f"{name}: {title}", target["expr"], known)
    for variable, query in variable_queries(board):
        found = re.fullmatch(r"label_values\((\w+),\s*(\w+)\)", query.strip())
        assert found, f"{name}: variable {variable}: {query!r} is not label_values(metric, label)"
        metric, label = found.groups()
        assert metric in known and label in known[metric] | {"job", "instance"}, f"{name}: variable {variable}: {query!r}"
    required = REQUIRED.get(board["title"], set())
    assert required <= used, f"{board['title']} lacks {sorted(required - used)}"


@pytest.mark.skipif(promtool() is None, reason="promtool not found (scripts/test unpacks Debian's into .venv/tools)")
def test_every_query_parses(tmp_path: Path) -> None:
    """Prometheus's own parser, through promtool: each query becomes a recording rule, one group per panel."""
    groups = []
    for name, board in dashboards().items():
        for i, (title, _, target) in enumerate(panel_targets(board)):
            rule = {"record": f"dashboard:query_{len(groups)}", "expr": for_promtool(target["expr"])}
            groups.append({"name": f"{name} #{i} {title}", "rules": [rule]})
    rules = tmp_path / "dashboards.yml"
    rules.write_text(yaml.safe_dump({"groups": groups}, allow_unicode=True))
    result = subprocess.run([promtool() or "", "check", "rules", str(rules)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(groups)} rules found" in result.stdout + result.stderr


def test_promql_parser_sees_metrics_and_labels() -> None:
    metrics, labels = promql_parts(
        'histogram_quantile(0.95, sum by (le, handler) (rate(x_seconds_bucket{status="ok"}[$__rate_interval]))) / up')
    assert metrics == {"x_seconds_bucket", "up"} and labels == {"le", "handler", "status"}
    assert for_promtool('rate(x{a=~"$server"}[$__rate_interval]) offset $__range') == 'rate(x{a=~".*"}[5m]) offset 1h'


# ---------------------------------------------------------------- panels


@pytest.mark.parametrize("name", sorted(dashboards()))
def test_panels_use_provisioned_datasources_and_do_not_overlap(name: str) -> None:
    uids = {ds["uid"] for ds in datasources()}
    taken: dict[tuple[int, int], str] = {}
    for panel in walk(dashboards()[name]["panels"]):
        sources = [panel.get("datasource")] + [t.get("datasource") for t in panel.get("targets", [])]
        for source in sources:
            if isinstance(source, dict):
                assert source.get("uid") in uids, f"{name}: {panel['title']}: data source {source} is not provisioned"
            else:
                assert source is None, f"{name}: {panel['title']}: refer to a data source by uid, not {source!r}"
        pos = panel["gridPos"]
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in taken, f"{name}: {panel['title']} overlaps {taken[(x, y)]}"
                taken[(x, y)] = panel["title"]
        assert pos["x"] + pos["w"] <= 24, f"{name}: {panel['title']} is wider than the dashboard"
