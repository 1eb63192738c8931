"""The alert rules: the runbook's thresholds and MIRAGE's own, each documented, built on metrics we export, unit-tested by promtool."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.infra.test_compose import (
    ROOT,
    argv,
    bind_mounts,
    container_ports,
    flag_value,
    host_exporter_data,
    host_port,
    known_metrics,
    mirage_services,
    mounted_file,
    prometheus_config,
    promql_parts,
    services,
)

RULES = ROOT / "infra/prometheus/rules"
RULE_TESTS = ROOT / "infra/prometheus/tests"
RUNBOOK = ROOT / "docs/runbook.md"
SEVERITIES = {"critical", "warning"}
# The operations runbook's alerts (Monitoring & Alerting → Alerting Rules): alert -> (severity, its threshold as the rule writes it).
RUNBOOK_THRESHOLDS = {
    "MirageServiceDown": ("critical", "up == 0"),
    "MirageHighErrorRate": ("critical", "> 0.10"),
    "MirageHighResponseTime": ("critical", "> 10"),
    "MirageDiskSpaceLow": ("critical", "< 0.05"),
    "MirageHighCpu": ("warning", "> 0.80"),
    "MirageHighMemory": ("warning", "> 0.85"),
    "MirageLowCacheHitRate": ("warning", "< 0.60"),
    "MirageHighQueryLatency": ("warning", "> 5"),
}
# MIRAGE's own, by what each one watches.
MIRAGE_ALERTS = {"MirageDeadLettersGrowing", "MirageConsumerBacklogStuck", "MirageReviewOverdue", "MirageDocumentsFailing",
                 "MirageBackupStale"}


def rule_files() -> list[Path]:
    return sorted(RULES.glob("*.yml"))


def alerts() -> Iterator[dict[str, Any]]:
    for path in rule_files():
        for group in yaml.safe_load(path.read_text())["groups"]:
            yield from (rule for rule in group["rules"] if "alert" in rule)


def alert_names() -> list[str]:
    return [rule["alert"] for rule in alerts()]


def slug(heading: str) -> str:
    """The anchor GitHub (and most Markdown renderers) give a heading."""
    return re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", heading.strip().lower()))


@cache
def runbook_anchors() -> set[str]:
    return {slug(line.lstrip("#")) for line in RUNBOOK.read_text().splitlines() if line.startswith("#")}


def promtool() -> str | None:
    return shutil.which("promtool", path=str(ROOT / ".venv/tools/usr/bin")) or shutil.which("promtool")


def amtool() -> str | None:
    return shutil.which("amtool", path=str(ROOT / ".venv/tools/usr/bin")) or shutil.which("amtool")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120, cwd=ROOT)


# ---------------------------------------------------------------- the rules themselves


def test_every_alert_has_a_severity_a_summary_and_a_runbook_section() -> None:
    names = alert_names()
    assert len(names) == len(set(names)), "alert names must be unique"
    for rule in alerts():
        name = rule["alert"]
        assert rule.get("labels", {}).get("severity") in SEVERITIES, f"{name}: severity must be one of {sorted(SEVERITIES)}"
        annotations = rule.get("annotations", {})
        assert annotations.get("summary") and annotations.get("description"), f"{name}: summary and description"
        path, _, anchor = annotations.get("runbook_url", "").partition("#")
        assert path == "docs/runbook.md" and anchor, f"{name}: runbook_url must be docs/runbook.md#<section>"
        assert anchor in runbook_anchors(), f"{name}: docs/runbook.md has no section #{anchor}"


def test_the_runbook_alerts_keep_its_thresholds() -> None:
    rules = {rule["alert"]: rule for rule in alerts()}
    for name, (severity, threshold) in RUNBOOK_THRESHOLDS.items():
        assert name in rules, f"the runbook's {name} is missing"
        assert rules[name]["labels"]["severity"] == severity, f"{name} is {severity} in the runbook"
        assert threshold in " ".join(rules[name]["expr"].split()), f"{name}: the runbook's threshold is {threshold!r}"
    assert MIRAGE_ALERTS <= set(rules), f"missing: {sorted(MIRAGE_ALERTS - set(rules))}"


def test_every_alert_uses_metrics_that_something_exports() -> None:
    known = known_metrics()
    for rule in alerts():
        metrics, labels = promql_parts(rule["expr"])
        metrics -= {"time", "absent"}
        assert metrics, f"{rule['alert']}: no metric in {rule['expr']!r}"
        unknown = metrics - set(known)
        assert not unknown, f"{rule['alert']}: {sorted(unknown)} is exported by nothing we run"
        available = {"job", "instance", "le"} | {label for m in metrics for label in known[m]}
        assert labels <= available, f"{rule['alert']}: labels {sorted(labels - available)} do not exist on {sorted(metrics)}"
        for label in re.findall(r"\$labels\.(\w+)", " ".join(rule["annotations"].values())):
            assert label in available, f"{rule['alert']}: the annotations name $labels.{label}, which {sorted(metrics)} lack"


def test_every_alert_has_a_unit_test_that_fires_it() -> None:
    fired: set[str] = set()
    for path in sorted(RULE_TESTS.glob("*.yml")):
        spec = yaml.safe_load(path.read_text())
        for rule_file in spec["rule_files"]:
            assert (path.parent / rule_file).resolve().parent == RULES, f"{path.name} tests {rule_file}, outside {RULES}"
        for test in spec["tests"]:
            fired |= {case["alertname"] for case in test.get("alert_rule_test", []) if case.get("exp_alerts")}
    assert set(alert_names()) <= fired, f"never shown firing in {RULE_TESTS}: {sorted(set(alert_names()) - fired)}"


# ---------------------------------------------------------------- wiring: Prometheus loads them, Alertmanager receives them


def test_prometheus_loads_the_rules_and_sends_alerts_to_alertmanager() -> None:
    svc = services()["prometheus"]
    config_file = mounted_file(svc, flag_value(argv(svc["command"]), "--config.file"))
    loaded: set[Path] = set()
    for pattern in prometheus_config()["rule_files"]:
        loaded |= set(config_file.parent.glob(pattern))
        container_dir = Path("/etc/prometheus") / Path(pattern).parent
        assert mounted_file(svc, str(container_dir)) == RULES, f"{container_dir} must be the mounted {RULES}"
    assert loaded == set(rule_files()), f"rule_files loads {sorted(loaded)}"
    targets = [t for am in prometheus_config()["alerting"]["alertmanagers"] for s in am["static_configs"] for t in s["targets"]]
    assert targets
    for target in targets:
        host, port = host_port(target)
        assert host in services() and port in container_ports(services()[host]), f"alerts go to {target}, which is not served"


def test_a_stopped_service_is_missed_for_every_mirage_job() -> None:
    """Replicas found by DNS vanish when stopped instead of going down: MirageServiceMissing names every MIRAGE job."""
    rule = next(rule for rule in alerts() if rule["alert"] == "MirageServiceMissing")
    watched = set(re.findall(r'absent\(up\{job="([\w-]+)"\}\)', rule["expr"]))
    jobs = prometheus_config()["scrape_configs"]
    discovered = {job["job_name"] for job in jobs if job.get("dns_sd_configs")}
    assert discovered <= watched, f"not watched: {sorted(discovered - watched)}"
    mirage = {job["job_name"] for job in jobs for s in job.get("static_configs", []) for t in s["targets"] if host_port(t)[0] in mirage_services()}
    assert watched == discovered | mirage, f"{sorted(watched)} vs the MIRAGE jobs {sorted(discovered | mirage)}"


def test_alertmanager_routes_everything_to_a_receiver_the_site_fills_in() -> None:
    svc = services()["alertmanager"]
    config = yaml.safe_load(mounted_file(svc, flag_value(argv(svc["command"]), "--config.file")).read_text())
    receivers = {r["name"] for r in config["receivers"]}
    assert config["route"]["receiver"] in receivers
    assert all(route["receiver"] in receivers for route in config["route"].get("routes", []))
    assert 9093 in container_ports(svc)


def test_the_host_exporters_are_the_ones_their_metric_names_were_read_from() -> None:
    images = host_exporter_data()["images"]
    for name, image in images.items():
        assert services()[name]["image"] == image, f"{name}: the metric names were read from {image}: re-check them after a bump"
    scraped = {host_port(t)[0] for job in prometheus_config()["scrape_configs"] for s in job.get("static_configs", []) for t in s["targets"]}
    assert set(images) <= scraped, "every host exporter must be scraped"
    node = services()["node-exporter"]
    textfile_dir = flag_value(argv(node["command"]), "--collector.textfile.directory")
    assert ("./backups/metrics", textfile_dir) in list(bind_mounts(node)), "the backup writes its timestamp to backups/metrics/"
    cadvisor_args = " ".join(argv(services()["cadvisor"]["command"]))
    assert "com.docker.compose.service" in cadvisor_args, "per-service panels group by container_label_com_docker_compose_service"


def test_the_backup_writes_the_timestamp_the_alert_reads(tmp_path: Path) -> None:
    """What `mirage backup` leaves in the textfile directory node-exporter reads: the names the alert and the dashboard use."""
    from prometheus_client.parser import text_string_to_metric_families

    from mirage.backup import METRICS_DIR, METRICS_FILE, record_success

    folder = tmp_path / "mirage-20261129T000000Z"
    folder.mkdir()
    manifest = {"finished_at": "2026-11-29T00:00:00+00:00", "seconds": 12.5, "files": {"a.snapshot": {"bytes": 2048}}}
    record_success(tmp_path, folder, manifest)
    textfile = tmp_path / METRICS_DIR / METRICS_FILE
    assert textfile.suffix == ".prom" and f"./backups/{METRICS_DIR}" in {source for source, _ in bind_mounts(services()["node-exporter"])}
    served = {s.name: s.value for family in text_string_to_metric_families(textfile.read_text()) for s in family.samples}
    assert served["mirage_backup_last_success_timestamp_seconds"] == 1795910400.0
    textfile_names = {name for name, groups in host_exporter_data()["metrics"].items() if name.startswith("mirage_backup_")}
    assert set(served) == textfile_names, "host_exporter_metrics.json lists what the backup writes"


# ---------------------------------------------------------------- promtool and amtool (scripts/test fetches them)


needs_promtool = pytest.mark.skipif(promtool() is None, reason="promtool not found (scripts/test unpacks Debian's into .venv/tools)")


@needs_promtool
def test_promtool_accepts_the_config_and_the_rules() -> None:
    result = run(promtool() or "", "check", "config", "infra/prometheus/prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(rule_files())} rule files found" in result.stdout + result.stderr


@needs_promtool
def test_promtool_unit_tests_of_the_rules_pass() -> None:
    result = run(promtool() or "", "test", "rules", *map(str, sorted(RULE_TESTS.glob("*.yml"))))
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_promtool_rejects_a_broken_rule(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: sum(rate(up[5m])\n")
    assert run(promtool() or "", "check", "rules", str(broken)).returncode != 0


@pytest.mark.skipif(amtool() is None, reason="amtool not found (scripts/test unpacks Debian's into .venv/tools)")
def test_amtool_accepts_the_alertmanager_config() -> None:
    result = run(amtool() or "", "check-config", "infra/alertmanager/alertmanager.yml")
    assert result.returncode == 0, result.stdout + result.stderr
