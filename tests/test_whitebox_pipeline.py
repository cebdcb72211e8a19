"""The white-box methods through `harmbench run` on the toy model (with their `toy` experiments shrunk)."""

from __future__ import annotations

import shutil

import yaml

from harmbench.config import default_configs_dir, load_configs
from harmbench.pipeline.plan import plan_jobs
from harmbench.pipeline.run import DEMO_METHODS
from harmbench.store import RunStore
from tests.conftest import run_cli

IDS = ["rotten_egg_stink_bomb_sibling_prank", "newsletter_bake_sale_false_cancellation"]  # standard, contextual
SHRINK = {"GCG": {"num_steps": 2, "search_width": 16}, "AutoPrompt": {"num_steps": 2, "search_width": 16},
          "UAT": {"num_steps": 1}, "PEZ": {"num_steps": 2}, "GBDA": {"num_steps": 2},
          "EnsembleGCG": {"num_steps": 2, "search_width": 16}}


def test_every_whitebox_method_through_the_cli(tmp_path):
    configs = tmp_path / "configs"
    shutil.copytree(default_configs_dir(), configs)
    for method, settings in SHRINK.items():
        path = configs / "method_configs" / f"{method}_config.yaml"
        doc = yaml.safe_load(path.read_text())
        doc["toy"].update(settings)
        path.write_text(yaml.safe_dump(doc))
    result = run_cli("run", "--methods", ",".join(SHRINK), "--models", "toy", "--behavior-ids", ",".join(IDS),
                     "--configs", str(configs), "--max-new-tokens", "8", "--judge", "refusal", "--threads", "1",
                     "--run-dir", str(tmp_path / "run"), "--no-report")
    assert result.returncode == 0, result.stderr
    expected = {"GCG": 1, "AutoPrompt": 1, "UAT": 1, "PEZ": 5, "GBDA": 5, "EnsembleGCG": 1}
    with RunStore(tmp_path / "run") as store:
        for method, n in expected.items():
            cases = store.test_cases(method, "toy")
            assert sorted(t.behavior_id for t in cases) == sorted(IDS * n), method
            contextual = [t.text for t in cases if t.behavior_id == IDS[1]]
            assert contextual and all("\n\n---\n\n" in text for text in contextual), method
            assert len(store.labels(method=method, judge="refusal")) == 2 * n
        costs = store.test_case_costs()
        assert costs[("GCG", "toy", IDS[0])]["backward_passes"] == 2


def test_demo_runs_gcg_on_the_toy_and_bad_threads():
    jobs, skipped = plan_jobs(load_configs(None), list(DEMO_METHODS), ["toy"])
    assert ("GCG", "toy") in [(j.class_name, j.experiment) for j in jobs] and not skipped
    result = run_cli("run", "--threads", "0")
    assert result.returncode == 2 and "--threads must be at least 1" in result.stderr
