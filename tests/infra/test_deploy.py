"""scripts/deploy.sh production|status|backup: the commands it runs (DRY_RUN=1), and the same calls on stand-ins for docker and curl."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.infra.test_compose import ROOT, RUNTIME_MOUNTS, bind_mounts, environment, published_ports, services

DEPLOY = ROOT / "scripts/deploy.sh"
COMPOSE = ["docker", "compose", "--file", str(ROOT / "compose.yaml")]


def deploy(*args: str, path: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("DRY_RUN", "MIRAGE_URL", "COMPOSE", "DEPLOY_WAIT_S")}
    if path is not None:
        environ["PATH"] = f"{path}:{environ['PATH']}"
    return subprocess.run([str(DEPLOY), *args], capture_output=True, text=True, timeout=60, env={**environ, **env})


def commands(*args: str) -> list[list[str]]:
    result = deploy(*args, DRY_RUN="1")
    assert result.returncode == 0, result.stdout + result.stderr
    return [shlex.split(line[2:]) for line in result.stdout.splitlines() if line.startswith("+ ")]


def test_production_builds_starts_waits_for_health_and_prints_the_states() -> None:
    ran = commands("production")
    assert ran[0] == ["mkdir", "-p", str(ROOT / "backups/metrics")]
    assert ran[1] == COMPOSE + ["build"]
    assert ran[2] == COMPOSE + ["up", "--detach", "--remove-orphans"]
    assert ran[3][0] == "curl" and ran[3][-1] == "http://localhost:8006/health" and "--fail" in ran[3]
    assert ran[4][:len(COMPOSE) + 2] == COMPOSE + ["ps", "--all"]
    assert "{{.Service}}" in ran[4][-1] and "{{.State}}" in ran[4][-1] and "{{.Health}}" in ran[4][-1]
    assert len(ran) == 5


def test_status_prints_the_states_then_health() -> None:
    ran = commands("status")
    assert ran[0][:len(COMPOSE) + 2] == COMPOSE + ["ps", "--all"]
    assert ran[1][0] == "curl" and ran[1][-1] == "http://localhost:8006/health"
    assert len(ran) == 2


def test_backup_calls_scripts_backup_sh_on_the_compose_stack_with_the_arguments() -> None:
    assert commands("backup") == [[str(ROOT / "scripts/backup.sh"), "--compose"]]
    assert commands("backup", "--to", "/mnt/backups") == [[str(ROOT / "scripts/backup.sh"), "--compose", "--to", "/mnt/backups"]]


def test_what_it_relies_on_in_compose() -> None:
    gateway = services()["gateway"]
    assert int(environment(gateway)["MIRAGE_PORT"]) in published_ports(gateway), "deploy.sh reaches the gateway on localhost:8006"
    made = {source for svc in services().values() for source, _ in bind_mounts(svc) if source in RUNTIME_MOUNTS}
    assert made == {"./backups/metrics"}, "deploy.sh production makes the directories compose mounts but the repository lacks"


@pytest.mark.parametrize("args", [(), ("staging",), ("status", "extra")])
def test_anything_else_prints_the_usage(args: tuple[str, ...]) -> None:
    result = deploy(*args, DRY_RUN="1")
    assert result.returncode == 2 and "production|status|backup" in result.stderr


@pytest.fixture()
def stand_ins(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """`docker` and `curl` that log their arguments; curl answers as the gateway's /health would (HEALTH_STATUS)."""
    made = [d for d in (ROOT / "backups", ROOT / "backups/metrics") if not d.exists()]
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(f'#!/bin/sh\necho "docker $*" >> {log}\necho "gateway  running  healthy  Up 2 minutes"\n')
    (bin_dir / "curl").write_text(
        f'#!/bin/sh\necho "curl $*" >> {log}\n'
        'case "$*" in *--fail*) [ "$HEALTH_STATUS" = 200 ]; exit $?;; esac\n'
        'echo \'{"status": "ok"}\'; printf "\\nHTTP %s\\n" "$HEALTH_STATUS"\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    yield bin_dir, log
    for directory in reversed(made):  # what `production` made here, if still empty
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()


def test_production_on_a_healthy_stack(stand_ins: tuple[Path, Path]) -> None:
    bin_dir, log = stand_ins
    result = deploy("production", path=bin_dir, HEALTH_STATUS="200")
    assert result.returncode == 0, result.stdout + result.stderr
    calls = log.read_text().splitlines()
    assert [c.split()[4] if c.startswith("docker") else "curl" for c in calls] == ["build", "up", "curl", "ps"]
    assert "gateway is healthy" in result.stdout and "gateway  running  healthy" in result.stdout


def test_status_of_a_degraded_stack_fails(stand_ins: tuple[Path, Path]) -> None:
    bin_dir, _ = stand_ins
    assert deploy("status", path=bin_dir, HEALTH_STATUS="200").returncode == 0
    degraded = deploy("status", path=bin_dir, HEALTH_STATUS="503")
    assert degraded.returncode == 1 and "HTTP 503" in degraded.stdout


def test_production_gives_up_when_the_gateway_never_turns_healthy(stand_ins: tuple[Path, Path]) -> None:
    bin_dir, log = stand_ins
    result = deploy("production", path=bin_dir, HEALTH_STATUS="503", DEPLOY_WAIT_S="0")
    assert result.returncode == 1 and "did not report healthy" in result.stderr
    assert log.read_text().splitlines()[-1].startswith("docker compose"), "the states are printed even then"
