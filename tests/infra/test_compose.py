"""The compose deployment checked against the code, without Docker: it parses, it validates, and what it names exists."""

from __future__ import annotations

import ast
import copy
import fnmatch
import importlib.resources
import inspect
import json
import re
import shlex
import subprocess
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SOURCE_PACKAGES = ("adapters", "contracts", "gateway", "mirage", "runtime", "workers")
WORKER_SERVICES = ("ingest", "retrieve")
# Variables read by a library rather than by Settings: name -> module whose source must mention it.
THIRD_PARTY_ENV = {"FORWARDED_ALLOW_IPS": "uvicorn.config"}
PROMQL_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
                   "offset", "inf", "nan", "atan2"}
PROMETHEUS_BUILTINS = {name: {"job", "instance"} for name in ("up", "scrape_duration_seconds", "scrape_samples_scraped")}
# ALERTS: what Prometheus records for each pending or firing alert (plus the alert's own labels, which vary).
PROMETHEUS_BUILTINS["ALERTS"] = {"alertname", "alertstate", "severity"}
# Bind-mounted directories that the repository does not hold: made at run time, by whom.
RUNTIME_MOUNTS = {"./backups/metrics": "scripts/backup.sh writes its textfile metrics there; scripts/deploy.sh makes it"}


# ---------------------------------------------------------------- loading


@cache
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def mirage_services() -> dict[str, dict[str, Any]]:
    """The services built from this repository."""
    return {name: svc for name, svc in services().items() if "build" in svc}


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def argv(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def container_ports(service: dict[str, Any]) -> set[int]:
    """Ports a service declares inside the network: the container side of `ports`, and `expose`."""
    found: set[int] = set()
    for entry in service.get("ports", []):
        target = entry["target"] if isinstance(entry, dict) else str(entry).split(":")[-1]
        found.add(int(str(target).split("/")[0]))
    found.update(int(str(p).split("/")[0]) for p in service.get("expose", []))
    return found


def published_ports(service: dict[str, Any]) -> set[int]:
    found: set[int] = set()
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            if entry.get("published"):
                found.add(int(entry["published"]))
        elif ":" in str(entry):
            found.add(int(str(entry).split(":")[-2]))
    return found


def hostnames() -> dict[str, set[str]]:
    """Each name the compose network resolves (service names and network aliases) -> the services behind it."""
    names: dict[str, set[str]] = {}
    for name, svc in services().items():
        names.setdefault(name, set()).add(name)
        networks = svc.get("networks") or {}
        if isinstance(networks, dict):
            for net in networks.values():
                for alias in (net or {}).get("aliases", []):
                    names.setdefault(alias, set()).add(name)
    return names


def bind_mounts(service: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(source relative to the repository, target) for each bind mount of a service."""
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                yield volume["source"], volume["target"]
        else:
            source, target = str(volume).split(":")[:2]
            if source.startswith((".", "/")):
                yield source, target


def named_volumes(service: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type", "volume") == "volume" and volume.get("source"):
                yield volume["source"], volume["target"]
        else:
            parts = str(volume).split(":")
            if len(parts) >= 2 and not parts[0].startswith((".", "/")):
                yield parts[0], parts[1]


def mounted_file(service: dict[str, Any], target: str) -> Path:
    """The repository file a service mounts at `target`, resolving a mounted parent directory too."""
    for source, mount in bind_mounts(service):
        if target == mount or target.startswith(mount.rstrip("/") + "/"):
            return ROOT / source / Path(target).relative_to(mount)
    raise AssertionError(f"nothing is mounted at {target}")


def flag_value(args: list[str], flag: str) -> str:
    for i, arg in enumerate(args):
        if arg == flag:
            return args[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    raise AssertionError(f"{flag} missing from {args}")


def host_port(url: str, default_port: int | None = None) -> tuple[str, int]:
    parts = urlsplit(url if "://" in url else f"//{url}")
    return parts.hostname or "", parts.port or default_port or 0


def nats_nodes() -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in services().items() if str(svc.get("image", "")).startswith("nats:")}


# ---------------------------------------------------------------- Dockerfile


@cache
def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's instructions, one list per stage (continuation lines joined, comments dropped)."""
    logical, pending = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    stages: list[list[tuple[str, str]]] = []
    for line in logical:
        instruction, _, args = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        assert stages, "the Dockerfile must start with FROM"
        stages[-1].append((instruction.upper(), args.strip()))
    return stages


def exec_form(args: str) -> list[str]:
    assert args.startswith("["), f"use the exec form (a JSON array) so signals reach the process: {args}"
    return json.loads(args)


def image_entrypoint_and_cmd() -> tuple[list[str], list[str]]:
    entrypoint: list[str] = []
    cmd: list[str] = []
    for instruction, args in dockerfile_stages()[-1]:
        if instruction == "ENTRYPOINT":
            entrypoint = exec_form(args)
        elif instruction == "CMD":
            cmd = exec_form(args)
    return entrypoint, cmd


def process_argv(service: dict[str, Any]) -> list[str]:
    """What the container runs: entrypoint (compose's or the image's) followed by command (compose's or CMD)."""
    image_entrypoint, image_cmd = image_entrypoint_and_cmd()
    entrypoint = argv(service["entrypoint"]) if "entrypoint" in service else image_entrypoint
    command = argv(service["command"]) if "command" in service else image_cmd
    return entrypoint + command


# ---------------------------------------------------------------- metric names the code exports


def exposed_names(name: str, kind: str) -> set[str]:
    """The series names prometheus_client exposes for one metric."""
    if kind == "counter":
        base = name.removesuffix("_total")
        return {f"{base}_total", f"{base}_created"}
    if kind == "histogram":
        return {f"{name}_bucket", f"{name}_sum", f"{name}_count", f"{name}_created"}
    if kind == "summary":
        return {name, f"{name}_sum", f"{name}_count", f"{name}_created"}
    return {name}


def source_calls() -> Iterator[ast.Call]:
    for package in SOURCE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Call):
                    yield node


def call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def constant_strings(node: ast.AST | None) -> list[str]:
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


@cache
def code_metrics() -> dict[str, set[str]]:
    """Series defined with prometheus_client in our sources -> their label names."""
    kinds = {"Counter": "counter", "Gauge": "gauge", "Histogram": "histogram", "Summary": "summary"}
    found: dict[str, set[str]] = {}
    for call in source_calls():
        kind = kinds.get(call_name(call))
        name_node = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "name"), None)
        if kind is None or not (isinstance(name_node, ast.Constant) and isinstance(name_node.value, str)):
            continue
        labels_node = call.args[2] if len(call.args) > 2 else next((k.value for k in call.keywords if k.arg == "labelnames"), None)
        for series in exposed_names(name_node.value, kind):
            found[series] = set(constant_strings(labels_node))
    return found


def faststream_prefixes() -> list[str]:
    """metrics_prefix of every FastStream Prometheus middleware our sources install."""
    prefixes = []
    for call in source_calls():
        if call_name(call).endswith("PrometheusMiddleware"):
            prefix = next((k.value for k in call.keywords if k.arg == "metrics_prefix"), None)
            prefixes.append(prefix.value if isinstance(prefix, ast.Constant) else "faststream")
    return prefixes


@cache
def faststream_metrics() -> dict[str, set[str]]:
    from faststream.prometheus.container import MetricsContainer
    from prometheus_client import CollectorRegistry

    found: dict[str, set[str]] = {}
    for prefix in faststream_prefixes():
        container = MetricsContainer(CollectorRegistry(), metrics_prefix=prefix, custom_label_names=())
        for slot in MetricsContainer.__slots__:
            if slot.startswith("_"):
                continue
            collector = getattr(container, slot)
            for family in collector.describe():
                for series in exposed_names(family.name, family.type):
                    found[series] = set(collector._labelnames)
    return found


@cache
def exporter_data() -> dict[str, Any]:
    return json.loads((HERE / "nats_exporter_metrics.json").read_text())


@cache
def host_exporter_data() -> dict[str, Any]:
    """node-exporter (with the backup's textfile metrics) and cAdvisor: the names the dashboards and alerts rely on."""
    return json.loads((HERE / "host_exporter_metrics.json").read_text())


def exporter_metrics() -> dict[str, set[str]]:
    found = {}
    for data in (exporter_data(), host_exporter_data()):
        found.update({name: {label for group in groups for label in data["labels"][group]} for name, groups in data["metrics"].items()})
    return found


@cache
def client_default_metrics() -> dict[str, set[str]]:
    """What prometheus_client's default registry (the one every MIRAGE /metrics serves) adds: process and Python series."""
    from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector

    registry = CollectorRegistry()
    for collector in (ProcessCollector, PlatformCollector, GCCollector):
        collector(registry=registry)
    return {sample.name: set(sample.labels) for family in registry.collect() for sample in family.samples}


def known_metrics() -> dict[str, set[str]]:
    return {**PROMETHEUS_BUILTINS, **exporter_metrics(), **client_default_metrics(), **faststream_metrics(), **code_metrics()}


def promql_parts(expr: str) -> tuple[set[str], set[str]]:
    """(metric names, label names) that a PromQL expression uses."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    labels: set[str] = set()
    for block in re.findall(r"\{([^}]*)\}", text):
        labels.update(re.findall(r"([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)", block))
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    for clause in re.findall(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", text):
        labels.update(label.strip() for label in clause.split(",") if label.strip())
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\$\w+", " ", text)
    metrics = {
        m.group(0) for m in re.finditer(r"(?<![\w.])[A-Za-z_:][\w:]*", text)
        if m.group(0) not in PROMQL_KEYWORDS and not re.match(r"\s*\(", text[m.end():])
    }
    return metrics, labels


# ---------------------------------------------------------------- compose: shape and schema


def test_compose_parses_and_uses_the_compose_specification_layout() -> None:
    data = compose()
    assert "version" not in data, "the Compose Specification has no `version:` key"
    assert data["services"], "no services"
    assert {"gateway", "ingest", "retrieve", "qdrant", "redis", "prometheus", "grafana", "tempo", "nginx"} <= set(services())
    assert len(nats_nodes()) >= 3, "JetStream clustering needs at least three NATS nodes"


@cache
def compose_schema_validator() -> jsonschema.protocols.Validator:
    text = (importlib.resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json").read_text()
    schema = json.loads(text)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def test_compose_validates_against_the_compose_specification_schema() -> None:
    errors = sorted(compose_schema_validator().iter_errors(compose()), key=lambda e: e.json_path)
    assert not errors, "\n".join(f"{e.json_path}: {e.message}" for e in errors)


def test_the_schema_check_rejects_a_broken_file() -> None:
    broken = copy.deepcopy(compose())
    broken["services"]["gateway"]["helthcheck"] = broken["services"]["gateway"].pop("healthcheck")
    broken["services"]["ingest"]["depends_on"]["redis"]["condition"] = "service_ready"
    paths = {e.json_path for e in compose_schema_validator().iter_errors(broken)}
    assert "$.services.gateway" in paths, paths
    assert any(path.startswith("$.services.ingest.depends_on") for path in paths), paths


def test_every_image_is_pinned() -> None:
    for name, svc in services().items():
        if "build" in svc and "image" not in svc:
            continue
        image = str(svc["image"])
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: image {image!r} has no tag"
        assert tag != "latest", f"{name}: pin {image!r} to a version"


def test_mirage_services_share_one_environment_anchor() -> None:
    shared = {key: str(value) for key, value in compose()["x-mirage-env"].items()}
    names = set()
    for name, svc in mirage_services().items():
        env = environment(svc)
        assert shared.items() <= env.items(), f"{name} does not carry x-mirage-env"
        names.add(env.get("OTEL_SERVICE_NAME"))
    assert None not in names and len(names) == len(mirage_services()), "each process needs its own OTEL_SERVICE_NAME"


# ---------------------------------------------------------------- compose against the code


@cache
def cli_group():  # noqa: ANN201
    import typer.main

    from mirage.cli import app

    return typer.main.get_command(app)


@pytest.mark.parametrize("name", sorted(mirage_services()))
def test_every_mirage_command_is_a_real_cli_command(name: str) -> None:
    args = process_argv(mirage_services()[name])
    assert args[:1] == ["mirage"] and args.count("mirage") == 1, f"{name} runs {args}"
    group = cli_group()
    ctx = group.make_context("mirage", list(args[1:]))
    subcommand = group.get_command(ctx, args[1])
    assert subcommand is not None, f"{name}: `mirage {args[1]}` is not a command; there are {sorted(group.commands)}"
    subcommand.make_context(args[1], list(args[2:]), parent=ctx)
    if args[1] == "worker":
        from contracts.chain import WORKERS

        assert args[2] in WORKERS, f"{name}: no worker {args[2]!r}"


def test_the_image_default_command_is_a_real_cli_command() -> None:
    entrypoint, cmd = image_entrypoint_and_cmd()
    args = entrypoint + cmd
    assert args[:1] == ["mirage"], f"the image runs {args}"
    assert args[1] in cli_group().commands


def test_worker_services_cover_every_worker() -> None:
    from contracts.chain import WORKERS

    run = {tuple(process_argv(svc)[1:3]) for svc in mirage_services().values()}
    assert {("worker", w) for w in WORKERS} <= run, f"a worker has no service: {run}"


@cache
def settings_env_names() -> set[str]:
    from pydantic import AliasChoices, AliasPath

    from runtime.settings import Settings

    prefix = Settings.model_config.get("env_prefix", "")
    names = set()
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(choice for choice in alias.choices if isinstance(choice, str))
        elif isinstance(alias, str):
            names.add(alias)
        elif alias is None or isinstance(alias, AliasPath):
            names.add(f"{prefix}{field.alias or field_name}")
    return {name.upper() for name in names}


@pytest.mark.parametrize("name", sorted(mirage_services()))
def test_every_environment_variable_is_one_the_process_reads(name: str) -> None:
    for variable in environment(mirage_services()[name]):
        if variable.upper() in settings_env_names() or variable.startswith("OTEL_"):
            continue
        module = THIRD_PARTY_ENV.get(variable)
        assert module, f"{name}: {variable} is neither a Settings field, an OTEL_* variable nor a known library's"
        assert variable in inspect.getsource(__import__(module, fromlist=["_"])), f"{module} no longer reads {variable}"


@pytest.mark.parametrize("name", sorted(mirage_services()))
def test_the_environment_builds_valid_settings(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from runtime.settings import Settings

    for variable in list(os.environ):
        if variable.upper() in settings_env_names():
            monkeypatch.delenv(variable)
    svc = mirage_services()[name]
    for variable, value in environment(svc).items():
        monkeypatch.setenv(variable, value)
    settings = Settings()
    assert settings.host == "0.0.0.0", f"{name} binds {settings.host}: unreachable from other containers"
    assert settings.nats_url and settings.qdrant_url and settings.redis_url
    assert settings.embedder == "use", "compose runs the offline embedder: no model download"
    if process_argv(svc)[1] == "gateway":
        assert settings.port in published_ports(svc) & container_ports(svc), f"gateway serves {settings.port}"
    else:
        assert settings.metrics_port in container_ports(svc), f"{name} serves metrics on {settings.metrics_port}: expose it"


def test_urls_in_the_environment_name_services_and_their_ports() -> None:
    env = compose()["x-mirage-env"]
    names = hostnames()
    expectations = {"NATS_URL": 4222, "QDRANT_URL": 6333, "REDIS_URL": 6379, "OTEL_EXPORTER_OTLP_ENDPOINT": 4317}
    for variable, default_port in expectations.items():
        # Settings.nats_url reaches NatsBroker as one string, and nats-py does not split commas: one URL.
        assert "," not in env[variable], f"{variable} must be a single URL"
        host, port = host_port(env[variable], default_port)
        assert host in names, f"{variable}: no service or alias {host!r}"
        for target in names[host]:
            assert port in container_ports(services()[target]), f"{variable}: {target} does not expose {port}"
    assert names[host_port(env["NATS_URL"])[0]] == set(nats_nodes()), "the NATS alias must reach every node"


def test_bind_mounted_files_exist_and_named_volumes_are_declared() -> None:
    declared = set(compose().get("volumes") or {})
    used = set()
    for name, svc in services().items():
        for source, _ in bind_mounts(svc):
            if source.startswith("/") or source in RUNTIME_MOUNTS:
                continue  # the host's own paths (node-exporter, cAdvisor), or a directory made at run time
            assert (ROOT / source).exists(), f"{name} mounts {source}, which does not exist"
        for volume, _ in named_volumes(svc):
            assert volume in declared, f"{name} uses undeclared volume {volume}"
            used.add(volume)
    assert declared == used, f"declared but unused volumes: {declared - used}"


def test_depends_on_targets_exist_and_conditions_can_be_met() -> None:
    graph: dict[str, set[str]] = {}
    for name, svc in services().items():
        deps = svc.get("depends_on") or {}
        deps = {d: {"condition": "service_started"} for d in deps} if isinstance(deps, list) else deps
        graph[name] = set(deps)
        for target, spec in deps.items():
            assert target in services() and target != name, f"{name} depends on unknown {target}"
            condition = spec.get("condition", "service_started")
            if condition == "service_healthy":
                check = services()[target].get("healthcheck")
                assert check and not check.get("disable"), f"{name} waits for {target} to be healthy; it has no healthcheck"
            if condition == "service_completed_successfully":
                assert str(services()[target].get("restart", "no")) == "no", f"{target} is one-shot: restart must be 'no'"

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, f"depends_on cycle: {' -> '.join(path + (node,))}"
        for nxt in graph[node]:
            visit(nxt, path + (node,))

    for node in graph:
        visit(node, ())


def test_workers_scale_by_replicas() -> None:
    for name in WORKER_SERVICES:
        svc = services()[name]
        assert svc.get("deploy", {}).get("replicas", 1) >= 2, f"{name} should run replicas"
        assert not published_ports(svc), f"{name} publishes a host port: `--scale` would collide"
        assert "container_name" not in svc, f"{name} has a container_name: it cannot scale"


def test_redis_is_a_cache_without_persistence() -> None:
    redis = services()["redis"]
    args = argv(redis.get("command"))
    assert flag_value(args, "--save") == "" and flag_value(args, "--appendonly") == "no"
    assert not list(named_volumes(redis)), "redis keeps nothing worth a volume"


# ---------------------------------------------------------------- NATS


def nats_conf() -> str:
    return (ROOT / "infra/nats/nats.conf").read_text()


def test_nats_nodes_form_one_jetstream_cluster() -> None:
    conf = nats_conf()
    routes = re.findall(r"nats-route://([\w.-]+):(\d+)", conf)
    cluster_port = int(re.search(r"cluster\s*\{[^}]*?listen:\s*[\d.]*:(\d+)", conf, re.S).group(1))
    assert {host for host, _ in routes} == set(nats_nodes()), f"routes {routes} must name every node"
    assert {int(port) for _, port in routes} == {cluster_port}
    store_dir = re.search(r"jetstream\s*\{[^}]*?store_dir:\s*\"?([^\s\"]+)", conf, re.S).group(1)
    monitor_port = int(re.search(r"^\s*http(?:_port)?:\s*(?:[\d.]+:)?(\d+)", conf, re.M).group(1))
    client_port = int(re.search(r"^\s*(?:listen|port):\s*(?:[\d.]+:)?(\d+)", conf, re.M).group(1))
    names, volumes = set(), set()
    for name, svc in nats_nodes().items():
        args = argv(svc.get("command"))
        assert mounted_file(svc, flag_value(args, "--config")) == ROOT / "infra/nats/nats.conf"
        names.add(flag_value(args, "--server_name"))
        store = [volume for volume, target in named_volumes(svc) if target == store_dir]
        assert store, f"{name}: the JetStream store {store_dir} is not on a named volume"
        volumes.update(store)
        assert {client_port, cluster_port, monitor_port} <= container_ports(svc)
        assert "healthcheck" in svc
    assert len(names) == len(volumes) == len(nats_nodes()), "each node needs its own server name and store volume"


def test_nats_server_accepts_the_config() -> None:
    from runtime.nats_server import nats_server_binary

    result = subprocess.run([nats_server_binary(), "-c", str(ROOT / "infra/nats/nats.conf"), "--server_name", "check", "-t"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


def image_version(image: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.match(r"v?(\d+(?:\.\d+)*)", image.rpartition(":")[2]).group(1).split("."))


def test_compose_runs_the_nats_version_the_tests_run() -> None:
    from runtime.nats_server import nats_server_binary

    output = subprocess.run([nats_server_binary(), "--version"], capture_output=True, text=True, timeout=30).stdout
    tested = tuple(int(p) for p in re.search(r"v(\d+)\.(\d+)", output).groups())
    for name, svc in nats_nodes().items():
        assert image_version(svc["image"])[:2] == tested, f"{name} runs {svc['image']}; the tests run nats-server {output.strip()}"


def test_qdrant_server_is_compatible_with_the_client() -> None:
    from importlib.metadata import version

    client = tuple(int(p) for p in version("qdrant-client").split(".")[:2])
    server = image_version(services()["qdrant"]["image"])[:2]
    # qdrant-client's own rule: same major version, minor versions at most one apart.
    assert server[0] == client[0] and abs(server[1] - client[1]) <= 1, f"qdrant {server} vs qdrant-client {client}"


def test_one_nats_exporter_per_node() -> None:
    exporters = {n: s for n, s in services().items() if "prometheus-nats-exporter" in str(s.get("image", ""))}
    assert {s["image"] for s in exporters.values()} == {exporter_data()["image"]}, (
        "the dashboard's NATS metric names were taken from this exporter version: re-check them after a bump")
    monitored = []
    for name, svc in exporters.items():
        args = argv(svc["command"])
        assert any(a.startswith("-jsz") for a in args) and "-varz" in args, f"{name} must export varz and jsz"
        assert int(flag_value(args, "-port")) in container_ports(svc)
        host, port = host_port(args[-1])
        assert host in nats_nodes() and port in container_ports(services()[host]), f"{name} watches {args[-1]}"
        monitored.append(host)
    assert sorted(monitored) == sorted(nats_nodes())


# ---------------------------------------------------------------- Prometheus


@cache
def prometheus_config() -> dict[str, Any]:
    svc = services()["prometheus"]
    return yaml.safe_load(mounted_file(svc, flag_value(argv(svc["command"]), "--config.file")).read_text())


def test_prometheus_scrapes_services_on_ports_they_serve() -> None:
    jobs = prometheus_config()["scrape_configs"]
    assert len({job["job_name"] for job in jobs}) == len(jobs)
    scraped: dict[str, set[str]] = {}
    for job in jobs:
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                host, port = host_port(target)
                if host == "localhost" and job["job_name"] == "prometheus":
                    continue
                assert host in services(), f"{job['job_name']}: {host} is not a service"
                assert port in container_ports(services()[host]), f"{job['job_name']}: {host} does not serve {port}"
                scraped.setdefault("static", set()).add(host)
        for sd in job.get("dns_sd_configs", []):
            assert sd.get("type") == "A", "compose DNS answers A records, one per replica"
            for host in sd["names"]:
                assert host in services(), f"{job['job_name']}: {host} is not a service"
                assert sd["port"] in container_ports(services()[host])
                scraped.setdefault("dns", set()).add(host)
    for name in WORKER_SERVICES:
        assert name in scraped.get("dns", set()), f"{name} runs replicas: discover them by DNS so every one is scraped"
        assert name not in scraped.get("static", set()), f"a static target scrapes one {name} replica at random"
        port = int(environment(services()[name])["MIRAGE_METRICS_PORT"])
        assert any(sd["port"] == port for job in jobs for sd in job.get("dns_sd_configs", []) if name in sd["names"])
    assert "gateway" in scraped["static"] | scraped.get("dns", set())
    exporters = {n for n, s in services().items() if "prometheus-nats-exporter" in str(s.get("image", ""))}
    assert exporters <= scraped["static"], "every NATS exporter must be scraped"


def test_gateway_metrics_target_is_the_port_the_gateway_listens_on() -> None:
    port = int(environment(services()["gateway"])["MIRAGE_PORT"])
    targets = [t for job in prometheus_config()["scrape_configs"] for s in job.get("static_configs", [])
               for t in s["targets"] if t.startswith("gateway:")]
    assert targets == [f"gateway:{port}"]


# ---------------------------------------------------------------- Grafana and Tempo


def grafana_file(container_path: str) -> Path:
    return mounted_file(services()["grafana"], container_path)


@cache
def datasources() -> list[dict[str, Any]]:
    found = []
    for path in sorted(grafana_file("/etc/grafana/provisioning/datasources").glob("*.y*ml")):
        found.extend(yaml.safe_load(path.read_text())["datasources"])
    return found


def test_grafana_datasources_point_at_prometheus_and_tempo() -> None:
    by_type = {ds["type"]: ds for ds in datasources()}
    assert {"prometheus", "tempo"} <= set(by_type)
    for ds in datasources():
        host, port = host_port(ds["url"])
        assert host in services() and port in container_ports(services()[host]), f"{ds['name']}: {ds['url']}"
    assert host_port(by_type["prometheus"]["url"])[0] == "prometheus"
    assert host_port(by_type["tempo"]["url"])[0] == "tempo"


# The dashboards: tests/infra/test_dashboards.py.


def test_tempo_receives_otlp_where_the_services_send_it() -> None:
    tempo = services()["tempo"]
    config = yaml.safe_load(mounted_file(tempo, flag_value(argv(tempo["command"]), "-config.file")).read_text())
    protocols = config["distributor"]["receivers"]["otlp"]["protocols"]
    ports = {proto: host_port(spec["endpoint"]) for proto, spec in protocols.items()}
    assert ports["grpc"] == ("0.0.0.0", 4317) and ports["http"] == ("0.0.0.0", 4318), "bind OTLP on every interface"
    assert {4317, 4318, config["server"]["http_listen_port"]} <= container_ports(tempo)
    assert host_port(compose()["x-mirage-env"]["OTEL_EXPORTER_OTLP_ENDPOINT"]) == ("tempo", 4317)
    volume_targets = [target for _, target in named_volumes(tempo)]
    for path in (config["storage"]["trace"]["wal"]["path"], config["storage"]["trace"]["local"]["path"]):
        assert any(path.startswith(t.rstrip("/") + "/") for t in volume_targets), f"{path} is not on a volume"


# ---------------------------------------------------------------- nginx


def nginx_conf() -> str:
    nginx = services()["nginx"]
    return mounted_file(nginx, "/etc/nginx/nginx.conf").read_text()


def nginx_size_mb(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1 / 2**20, "k": 1 / 1024, "m": 1, "g": 1024}[unit.lower()]


def nginx_seconds(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(ms|s|m|h)?", value).groups()
    return int(number) * {"ms": 0.001, None: 1, "s": 1, "m": 60, "h": 3600}[unit]


def test_nginx_proxies_to_the_gateway() -> None:
    conf = nginx_conf()
    upstreams = dict(re.findall(r"upstream\s+([\w-]+)\s*\{([^}]*)\}", conf))
    passes = re.findall(r"proxy_pass\s+http://([\w.-]+)", conf)
    assert passes and all(p in upstreams for p in passes), f"proxy_pass {passes} must name an upstream"
    servers = {host_port(s) for p in passes for s in re.findall(r"server\s+([\w.:-]+)", upstreams[p])}
    gateway_port = int(environment(services()["gateway"])["MIRAGE_PORT"])
    assert servers == {("gateway", gateway_port)}
    assert re.search(r"listen\s+80\b", conf) and 80 in container_ports(services()["nginx"])
    assert any(dep == "gateway" for dep in services()["nginx"].get("depends_on", {}))
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert re.search(rf"proxy_set_header\s+{header}\s", conf), f"nginx does not pass {header}"
    assert environment(services()["gateway"]).get("FORWARDED_ALLOW_IPS"), "uvicorn ignores X-Forwarded-* unless told"


def test_nginx_lets_through_the_largest_upload_and_waits_for_it() -> None:
    conf = nginx_conf()
    env = compose()["x-mirage-env"]
    limit_mb = float(env["MIRAGE_MAX_UPLOAD_MB"])
    wait_s = float(env["MIRAGE_UPLOAD_WAIT_S"])
    body_mb = nginx_size_mb(re.search(r"client_max_body_size\s+(\w+);", conf).group(1))
    assert limit_mb + 1 <= body_mb <= 2 * limit_mb, f"client_max_body_size {body_mb} MB vs a {limit_mb} MB upload limit"
    for directive in ("proxy_read_timeout", "proxy_send_timeout"):
        timeout = nginx_seconds(re.search(rf"{directive}\s+(\w+);", conf).group(1))
        assert timeout > wait_s + 10, f"{directive} {timeout}s would cut a {wait_s}s upload wait short"


# ---------------------------------------------------------------- Dockerfile and .dockerignore


def test_dockerfile_installs_the_project_as_a_non_root_user() -> None:
    stages = dockerfile_stages()
    bases = [stage[0][1].split()[0] for stage in stages]
    assert all(base.startswith("python:3.11-slim") for base in bases), f"every stage starts FROM python:3.11-slim: {bases}"
    runs = [args for stage in stages for instruction, args in stage if instruction == "RUN"]
    assert any(re.search(r"\bpip (?:install|wheel)\b.*\s\.(?:\s|$|\[)", run) for run in runs), "pip never installs the project"
    final = stages[-1]
    assert any(i == "RUN" and re.search(r"\bpip install\b", a) for i, a in final), "the final stage installs nothing"
    users = [args for instruction, args in final if instruction == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "run as a non-root user"
    last_user = max(i for i, (instruction, _) in enumerate(final) if instruction == "USER")
    last_cmd = max(i for i, (instruction, _) in enumerate(final) if instruction in ("CMD", "ENTRYPOINT"))
    assert last_user < last_cmd
    for run in runs:
        assert not re.search(r"\b(curl|wget|huggingface-cli|hf download|snapshot_download|fastembed)\b", run), (
            f"no download at build time: {run}")


def test_dockerfile_environment_is_read_by_settings() -> None:
    variables = {}
    for instruction, args in dockerfile_stages()[-1]:
        if instruction == "ENV":
            variables.update(item.split("=", 1) for item in shlex.split(args))
    mirage = {name for name in variables if name.startswith("MIRAGE_")}
    assert mirage <= settings_env_names(), f"unknown to Settings: {sorted(mirage - settings_env_names())}"
    assert variables.get("MIRAGE_HOST") == "0.0.0.0", "a container must listen beyond its loopback"
    assert variables.get("HF_HUB_OFFLINE") == "1", "nothing may reach a model hub at run time"


def dockerignore_excludes(path: str) -> bool:
    excluded = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        parents = [str(Path(*Path(path).parts[: i + 1])) for i in range(len(Path(path).parts))]
        if any(fnmatch.fnmatchcase(p, pattern) or fnmatch.fnmatchcase(p, pattern.removeprefix("**/")) for p in parents):
            excluded = not negate
    return excluded


def test_dockerignore_sends_the_packages_and_nothing_else() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert packages == set(SOURCE_PACKAGES)
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            assert not dockerignore_excludes(str(path.relative_to(ROOT))), f"{path} would be missing from the image"
    for needed in ("pyproject.toml", project["project"].get("readme", "README.md")):
        assert not dockerignore_excludes(needed), f"{needed} is needed by `pip wheel .`"
    for unwanted in (".venv/bin/python", ".git/HEAD", "tests/conftest.py", ".mirage/nats/x", "gateway/__pycache__/app.pyc"):
        assert dockerignore_excludes(unwanted), f"{unwanted} should stay out of the build context"
