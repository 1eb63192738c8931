"""`mirage bench load` runs end to end on a private stack (its figures are measured by the command, not here)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mirage.cli import app
from mirage.evaluation.load import MIX, best_step


def step(clients: int, rate: float, p95: float, errors: int = 0) -> dict:
    return {"clients": clients, "calls_per_s": rate, "all": {"p95_ms": p95, "errors": errors}}


def test_best_step_is_the_fastest_under_the_bound_without_errors() -> None:
    steps = [step(1, 5.0, 120), step(4, 14.0, 640), step(8, 19.0, 900, errors=1), step(16, 22.0, 1800)]
    assert best_step(steps)["clients"] == 4
    assert best_step([step(16, 22.0, 1800)]) is None


@pytest.mark.timeout(300)
def test_bench_load_mixes_every_kind_of_call() -> None:
    result = CliRunner().invoke(app, ["bench", "load", "--clients", "1,3", "--duration", "4", "--seed-documents", "2", "--json"])
    report = json.loads(result.output.strip().splitlines()[-1])
    assert [s["clients"] for s in report["steps"]] == [1, 3]
    assert report["errors"] == 0 and result.exit_code == 0, report
    calls = {kind: sum(s["by_kind"][kind]["calls"] for s in report["steps"]) for kind in MIX}
    assert sum(calls.values()) >= 4 and all(s["all"]["p95_ms"] > 0 for s in report["steps"])


def test_bench_load_refuses_a_bad_client_list() -> None:
    result = CliRunner().invoke(app, ["bench", "load", "--clients", "0"])
    assert result.exit_code == 2 and "positive" in result.output
