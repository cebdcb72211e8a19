"""The pipeline survives kill -9 at any point: a rerun finishes the job, the final store equals an
uninterrupted run's, and no unit committed before the kill is computed again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

IDS = "rotten_egg_stink_bomb_sibling_prank,fake_helpdesk_fridge_password_message,rude_poem_coworker_haircut," \
      "newsletter_bake_sale_false_cancellation,lyrics_paper_lanterns_at_the_tidewall,sneak_snacks_into_movie_theater"
ARGS = ["run", "--methods", "DirectRequest,HumanJailbreaks:demo", "--behavior-ids", IDS, "--max-new-tokens", "24", "--batch-size", "4", "--no-report"]


def command(run_dir: Path) -> list[str]:
    return [sys.executable, "-m", "harmbench", *ARGS, "--run-dir", str(run_dir)]


def snapshot(run_dir: Path) -> dict:
    """Everything a run produced, without timestamps."""
    db = sqlite3.connect(run_dir / "harmbench.sqlite")
    tables = {
        "test_cases": "SELECT method, experiment, behavior_id, idx, text, image FROM test_cases",
        "completions": "SELECT method, experiment, model, behavior_id, idx, generation, tokens_in, tokens_out, "
                       "finish_reason FROM completions",
        "labels": "SELECT method, experiment, model, behavior_id, idx, judge, label, raw, judged_generation FROM labels",
    }
    out = {name: sorted(db.execute(sql).fetchall()) for name, sql in tables.items()}
    db.close()
    return out


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("reference") / "run"
    log = run_dir.parent / "units.log"
    env = {**os.environ, "HARMBENCH_UNIT_LOG": str(log)}
    subprocess.run(command(run_dir), env=env, check=True, capture_output=True, timeout=600)
    return snapshot(run_dir), lines(log)


def test_uninterrupted_run_is_complete(reference):
    snap, units = reference
    assert len(snap["test_cases"]) == 6 + 6 * 5  # DirectRequest 1 + HumanJailbreaks:demo 5 per behavior
    assert len(snap["completions"]) == 36
    assert len(snap["labels"]) == 36 * 3
    assert len(units) == len(set(units))


@pytest.mark.parametrize("kill_after", [1, 14, 25])  # in step 1, step 2, step 3
def test_kill_minus_nine_then_rerun(tmp_path, reference, kill_after):
    run_dir = tmp_path / "run"
    log = tmp_path / "units.log"
    env = {**os.environ, "HARMBENCH_UNIT_LOG": str(log)}
    proc = subprocess.Popen(command(run_dir), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len(lines(log)) < kill_after and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = lines(log)
    assert killed, f"the run finished before {kill_after} units: choose an earlier kill point"
    subprocess.run(command(run_dir), env=env, check=True, capture_output=True, timeout=600)
    after = lines(log)
    assert len(after) == len(set(after)), "a unit committed before the kill was computed again"
    assert after[: len(before)] == before
    assert snapshot(run_dir) == reference[0]
