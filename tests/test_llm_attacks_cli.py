"""The LLM-driven attacks end to end through `harmbench run`: the toy model as target, and the
rule-based stand-in LLM (standing in for a strong attacker/judge LLM) served over a loopback
OpenAI-compatible server as attacker, judge and mutator."""

from __future__ import annotations

import pytest
from conftest import run_cli

from harmbench.store import RunStore
from tests.llm_fixtures import standin_configs, standin_server  # noqa: F401 (fixtures)

TEXT_IDS = "rude_poem_coworker_haircut,sneak_snacks_into_movie_theater,newsletter_bake_sale_false_cancellation"


def run_methods(configs, run_dir, methods, models="toy"):
    result = run_cli("run", "--configs", str(configs), "--methods", methods, "--models", models,
                     "--behavior-ids", TEXT_IDS, "--run-dir", str(run_dir), "--threads", "1", "--no-report",
                     env={"OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.mark.slow
def test_pair_and_tap_with_a_standin_attacker_over_http(standin_configs, standin_server, tmp_path):
    before = standin_server.stats.total
    run_methods(standin_configs, tmp_path / "run", "PAIR:toy,TAP:toy")
    assert standin_server.stats.total > before and standin_server.stats.max_in_flight > 1  # concurrent requests
    with RunStore(tmp_path / "run") as store:
        costs = store.test_case_costs()
        for method in ("PAIR", "TAP"):
            cases = store.test_cases(method, "toy")
            assert sorted(t.behavior_id for t in cases) == sorted(TEXT_IDS.split(","))
            logs = store.behavior_logs(method, "toy")
            assert all(logs[t.behavior_id] for t in cases)
            for t in cases:
                cost = costs[(method, "toy", t.behavior_id)]
                assert cost["api_calls"] >= 3 and cost["tokens_in"] > 0 and cost["tokens_out"] > 0
        assert len(store.completions("PAIR", "toy")) == 3 and len(store.labels("TAP", "toy")) >= 3


@pytest.mark.slow
def test_transfer_reuses_saved_test_cases(standin_configs, standin_server, tmp_path):
    experiment = "TAP:standin_judge_toy_target"
    run_methods(standin_configs, tmp_path / "run", experiment)
    with RunStore(tmp_path / "run") as store:
        first = {t.behavior_id: t.text for t in store.test_cases("TAP", "standin_judge_toy_target")}
    calls = standin_server.stats.total
    run_methods(standin_configs, tmp_path / "run", experiment, models="toy,toy_twin")
    assert standin_server.stats.total == calls  # no attacker or judge call: the test cases were reused
    with RunStore(tmp_path / "run") as store:
        again = {t.behavior_id: t.text for t in store.test_cases("TAP", "standin_judge_toy_target")}
        assert again == first and len(first) == 3
        twin = store.completions("TAP", "standin_judge_toy_target", "toy_twin")
        assert sorted(c.behavior_id for c in twin) == sorted(first)


@pytest.mark.slow
def test_every_other_llm_attack_with_a_standin_over_http(standin_configs, standin_server, tmp_path):
    methods = ("PAP", "AutoDAN", "FewShot", "GPTFuzz", "ArtPrompt")
    before = standin_server.stats.total
    run_methods(standin_configs, tmp_path / "run", ",".join(f"{m}:toy" for m in methods))
    assert standin_server.stats.total > before
    with RunStore(tmp_path / "run") as store:
        costs = store.test_case_costs()
        for method in methods:
            cases = store.test_cases(method, "toy")
            assert {t.behavior_id for t in cases} == set(TEXT_IDS.split(",")), method
            assert all(t.text for t in cases), method
            for behavior_id in TEXT_IDS.split(","):
                assert costs[(method, "toy", behavior_id)]["api_calls"] >= 1, method  # every method asked the stand-in
            assert len(store.completions(method, "toy")) == len(cases)
