"""The pipeline on the toy model: planning, the steps, the manifest, costs, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from harmbench.config import load_configs
from harmbench.errors import ConfigError
from harmbench.pipeline.plan import plan_jobs
from harmbench.pipeline.run import RunConfig, run
from harmbench.store import RunStore

IDS = ["rude_poem_coworker_haircut", "newsletter_bake_sale_false_cancellation", "lyrics_paper_lanterns_at_the_tidewall"]


def small(run_dir: Path, **kw) -> RunConfig:
    return RunConfig(run_dir=run_dir, behavior_ids=IDS,
                     **{"max_new_tokens": 16, "methods": ["DirectRequest", "HumanJailbreaks:demo"], **kw})


def test_plan_skips_what_a_method_cannot_attack():
    configs = load_configs()
    jobs, skipped = plan_jobs(configs, ["DirectRequest", "HumanJailbreaks:demo"], ["toy", "gpt-4-0613", "llava_v1_5"])
    assert [(j.class_name, j.experiment, j.models) for j in jobs] == [
        ("DirectRequest", "default", ["toy", "gpt-4-0613"]), ("HumanJailbreaks", "demo", ["toy", "gpt-4-0613"])]
    assert len(skipped) == 2 and all("llava_v1_5" in s and "multimodal" in s for s in skipped)
    with pytest.raises(ConfigError, match="unknown or not yet available method 'GCGG'"):
        plan_jobs(configs, ["GCGG"], ["toy"])
    with pytest.raises(ConfigError, match="unknown model 'toyy'"):
        plan_jobs(configs, ["DirectRequest"], ["toyy"])


def test_run_steps_manifest_and_costs(tmp_path):
    result = run(small(tmp_path / "run"))
    assert result.counts == {"test_cases": 6, "completions": 18, "labels": 54}
    with RunStore(tmp_path / "run") as store:
        completions = store.completions()
        assert {c.max_new_tokens for c in completions} == {16}
        assert all(c.tokens_in and c.wall_s is not None and c.finish_reason in ("stop", "length") for c in completions)
        costs = store.test_case_costs()
        assert len(costs) == 6 and all("wall_s" in c for c in costs.values())
        manifest = store.get_meta("manifest")
        assert manifest["decoding"]["max_new_tokens"] == 16 and manifest["behaviors"]["n"] == 3
        assert manifest["models"]["toy"]["chat_template_sha256"]
        assert set(manifest["judges"]) == {"refusal_copyright", "advbench", "refusal"}
        assert store.get_meta("method_names") == {"DirectRequest/default": "DirectRequest",
                                                  "HumanJailbreaks/demo": "HumanJailbreaks:demo"}
    from harmbench.report import build_report

    report = build_report(tmp_path / "run")
    cost = report.costs[("DirectRequest", "default", "toy")]
    assert cost["completions"] == 3 and cost["completion_tokens_out"] > 0 and cost["completion_wall_s"] > 0
    assert report.as_json()["asr"][0]["cost"] == report.costs[(report.asr[0].method, report.asr[0].experiment,
                                                                  report.asr[0].model)]
    assert (tmp_path / "run/report/costs.csv").read_text().startswith("method,experiment,model,asr,")
    again = run(small(tmp_path / "run"))
    assert again.counts == {"test_cases": 0, "completions": 0, "labels": 0} and again.manifest_changes == []


def test_changed_settings_are_reported(tmp_path):
    run(small(tmp_path / "a"))
    changed = run(small(tmp_path / "a", max_new_tokens=12))
    assert any(line.startswith("decoding.max_new_tokens: 16 -> 12") for line in changed.manifest_changes)
    run(small(tmp_path / "b", max_new_tokens=12))
    result = run_cli("compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["differences"] == []  # a's manifest now records the 12-token run, like b's


def test_step_by_step_equals_all_at_once(tmp_path):
    for step in ("1", "1.5", "2", "3"):
        run(small(tmp_path / "steps"), step=step)
    run(small(tmp_path / "all"))
    with RunStore(tmp_path / "steps") as a, RunStore(tmp_path / "all") as b:
        assert [c.generation for c in a.completions()] == [c.generation for c in b.completions()]
        assert [(x.judge, x.label) for x in a.labels()] == [(x.judge, x.label) for x in b.labels()]


def test_bad_input_on_the_cli(tmp_path):
    cases = [
        (["run", "--methods", "NoSuchMethod"], "unknown or not yet available method"),
        (["run", "--models", "toyy"], "unknown model 'toyy'"),
        (["run", "--behavior-ids", "not_a_behavior"], "BehaviorID 'not_a_behavior' is not in 'demo'"),
        (["run", "--judge", "gpt5"], "unknown judge 'gpt5'"),
        (["run", "--behaviors", "text_all"], "harmbench data download"),
        (["run", "--max-new-tokens", "0"], "at least 1"),
    ]
    for args, message in cases:
        result = run_cli(*args, "--run-dir", str(tmp_path / "r"))
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)


def test_missing_api_key_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = run_cli("run", "--models", "gpt-4-0613", "--behavior-ids", IDS[0], "--run-dir", str(tmp_path / "r"))
    assert result.returncode == 2 and "OPENAI_API_KEY" in result.stderr and "Traceback" not in result.stderr
    with RunStore(tmp_path / "r") as store:  # step 1 finished before step 2 failed, and was kept
        assert len(store.test_cases()) == 6


def test_saved_method_configs_mask_secret_looking_values():
    from harmbench.pipeline.steps import mask_secrets

    masked = mask_secrets({"judge_model": {"token": "sk-abcdef1234"}, "openai_key": "sk-zzzz9876",
                           "masking_model_key": "abc12345", "api_key": "k-0000", "keep_last_n": 3,
                           "monkey": "banana1234", "steps": [{"apiKey": "xyz98765"}]})
    assert masked["judge_model"]["token"] == "*********1234" and masked["openai_key"] == "*******9876"
    assert masked["masking_model_key"] == "****2345" and masked["api_key"] == "**0000"
    assert masked["steps"][0]["apiKey"] == "****8765" and masked["keep_last_n"] == 3
    assert masked["monkey"] == "******1234"  # any key ending in "key" is treated as a secret
