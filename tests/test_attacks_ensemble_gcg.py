"""EnsembleGCG (GCG-Multi, GCG-Transfer) on the toy model and tiny random Llamas: one universal
suffix per run, runs stored at their index and resumed, progressive behaviors, several target
models in process or in Ray actors, and GCG-Multi through the pipeline."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest
import torch
import yaml

from harmbench.attacks import AttackContext, get_attack
from harmbench.attacks.ensemble_gcg import add_next_behavior
from harmbench.attacks.optim.workers import GCGModelWorker
from harmbench.behaviors import load_behaviors
from harmbench.config import default_configs_dir, load_configs
from harmbench.errors import ConfigError, HarmbenchError
from harmbench.pipeline.plan import plan_jobs
from harmbench.pipeline.run import ModelCache, RunConfig, run
from harmbench.store import RunStore
from tiny_models import make_tiny_llama
from tests.whitebox_fixtures import one_torch_thread  # noqa: F401 (fixture)

IDS = ["rude_poem_coworker_haircut", "newsletter_bake_sale_false_cancellation", "limerick_mocking_classmate_singing"]
TOY = [{"target_model": "toy", "num_gpus": 0}]
SMALL = {"num_steps": 6, "search_width": 32}


@pytest.fixture(scope="module")
def behaviors():
    by_id = {b.behavior_id: b for b in load_behaviors("demo")}
    return [by_id[i] for i in IDS]


@pytest.fixture(scope="module")
def models():
    cache = ModelCache(None)
    yield cache
    cache.close()


def attack(run_ids=("0", "1"), **hp):
    a = get_attack("EnsembleGCG", {"target_models": TOY, **SMALL, **hp})
    a.run_ids = run_ids
    return a


def generate(a, behaviors, models, **context):
    return list(a.generate(behaviors, AttackContext(load_model=models, seed=0, **context)))


def suffixes(results, behaviors):
    """{run index: suffix}, checking every behavior's test case is its prompt + that run's suffix."""
    prompts = {b.behavior_id: b.prompt(optimizer=True) for b in behaviors}
    out = {}
    for r in results:
        (case,) = r.test_cases
        assert case.startswith(prompts[r.behavior_id])
        out.setdefault(r.first_idx, set()).add(case[len(prompts[r.behavior_id]):])
    assert all(len(s) == 1 for s in out.values()), "one universal suffix per run"
    return {i: s.pop() for i, s in out.items()}


@pytest.fixture(scope="module")
def two_runs(behaviors, models):
    return generate(attack(), behaviors, models)


def test_one_universal_suffix_per_run(two_runs, behaviors):
    assert [(r.behavior_id, r.first_idx) for r in two_runs] == [(b, i) for i in (0, 1) for b in IDS]
    by_run = suffixes(two_runs, behaviors)
    assert by_run[0] != by_run[1] and by_run[0].strip()
    assert "\n\n---\n\n" in two_runs[1].test_cases[0]  # the contextual behavior keeps its context
    log = two_runs[0].logs[0]
    assert set(log) == {"run_id", "final_loss", "all_losses", "num_behaviors", "suffix", "step_wall_s"}
    assert log["run_id"] == "0" and log["suffix"] == by_run[0] and len(log["all_losses"]) == SMALL["num_steps"]
    assert log["final_loss"] == log["all_losses"][-1] < log["all_losses"][0]  # the search makes progress
    assert all(r.logs == [log] for r in two_runs[:3])
    run0 = [r.cost for r in two_runs[:3]]  # the run's cost, split evenly over the behaviors
    assert all(c.wall_s == run0[0].wall_s > 0 for c in run0)
    assert max(c.forward_passes for c in run0) - min(c.forward_passes for c in run0) <= 1
    assert sum(c.backward_passes for c in run0) == SMALL["num_steps"]  # one behavior included: 1 per step


def test_same_seed_same_suffix_and_resume(two_runs, behaviors, models):
    first = suffixes(two_runs, behaviors)
    resumed = generate(attack(), behaviors, models, stored_counts={IDS[0]: 2, IDS[1]: 1, IDS[2]: 1})
    assert {r.first_idx for r in resumed} == {1} and len(resumed) == 3  # starts at the first unfinished run
    assert suffixes(resumed, behaviors) == {1: first[1]}
    assert generate(attack(), behaviors, models, stored_counts=dict.fromkeys(IDS, 2)) == []
    assert attack(run_ids=tuple("01234")).expected_test_cases() == 5


def test_progressive_rule():
    assert add_next_behavior(torch.tensor([0.1, 0.19]), 1)
    assert not add_next_behavior(torch.tensor([0.1, 0.2]), 99)
    assert add_next_behavior(torch.tensor([0.1, 0.2]), 100)
    assert add_next_behavior(torch.tensor([3.0]), 2, max_loss=0.2, max_steps=2)


@pytest.mark.parametrize("hp,included,backward", [
    ({"add_behavior_steps": 2, "add_behavior_loss": 0.0}, 3, 1 + 1 + 2 + 2 + 3),  # added after steps 2 and 4
    ({"add_behavior_loss": 100.0}, 3, 1 + 2 + 3 + 3 + 3),  # every loss is under 100: one more each step
    ({"progressive_behaviors": False}, 3, 3 * 5),
    ({}, 1, 5),  # upstream's 0.2 and 100: the toy stays on the first behavior
])
def test_behaviors_are_added(behaviors, models, hp, included, backward):
    results = generate(attack(run_ids=("0",), num_steps=5, search_width=8, **hp), behaviors, models)
    assert {r.logs[0]["num_behaviors"] for r in results} == {included}
    assert sum(r.cost.backward_passes for r in results) == backward  # one backward pass per included behavior


@pytest.fixture(scope="module")
def two_llamas(tmp_path_factory):
    """Two random tiny Llamas with one tokenizer (trained the same way), different weights."""
    root = tmp_path_factory.mktemp("ensemble")
    return [{"model_name_or_path": str(make_tiny_llama(root / f"m{seed}", seed=seed))} for seed in (0, 1)]


def test_two_models_average(two_llamas, behaviors, models):
    targets = [{"target_model": spec, "num_gpus": 0} for spec in two_llamas]
    a = get_attack("EnsembleGCG", {"target_models": targets, "num_steps": 4, "search_width": 32,
                                   "progressive_behaviors": False})
    results = generate(a, behaviors[:2], models)
    suffix = suffixes(results, behaviors)[0]
    workers = [GCGModelWorker(models(spec)) for spec in two_llamas]
    per_model = []
    for w in workers:
        w.set_behaviors([b.prompt(optimizer=True) for b in behaviors[:2]], [b.target for b in behaviors[:2]])
        ids = torch.tensor([w.tokenizer()(suffix, add_special_tokens=False)["input_ids"]])
        per_model.append(w.losses(ids, 2).mean())
    assert per_model[0] != pytest.approx(per_model[1])
    assert results[0].logs[0]["final_loss"] == pytest.approx(float(sum(per_model) / 2), abs=1e-5)
    assert sum(r.cost.backward_passes for r in results) == 4 * 2 * 2  # steps x models x behaviors


def test_bad_target_models(behaviors, models):
    with pytest.raises(ConfigError, match="needs target_models"):
        get_attack("EnsembleGCG", {})
    with pytest.raises(ConfigError, match=r"target_models\[0\]"):
        get_attack("EnsembleGCG", {"target_models": ["toy"]})

    class Other:  # a white-box target whose tokenizer is of another type
        def whitebox(self):
            return SimpleNamespace(tokenizer=object(), sequences_forward=0, sequences_backward=0)

    fakes = {"other": Other(), "api": SimpleNamespace(name="api")}
    load = lambda spec: fakes.get(spec) or models(spec)
    mixed = attack(target_models=TOY + [{"target_model": "other", "num_gpus": 0}])
    with pytest.raises(ConfigError, match="tokenizers are of different types"):
        list(mixed.generate(behaviors, AttackContext(load_model=load)))
    with pytest.raises(ConfigError, match="'api' is not a local transformers model"):
        list(attack(target_models=[{"target_model": "api"}]).generate(behaviors, AttackContext(load_model=load)))


@pytest.mark.slow  # a Ray runtime starts: several seconds
def test_ray_actors_give_the_same_suffix(behaviors, models):
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'harmbench[ray]')")
    if ray.is_initialized():
        pytest.skip("Ray is already initialised in this process")
    hp = {"num_steps": 3, "search_width": 16}
    local = suffixes(generate(attack(run_ids=("0",), **hp), behaviors, models), behaviors)
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        remote = generate(attack(run_ids=("0",), use_ray=True, **hp), behaviors, models)
        assert ray.is_initialized()  # a runtime it did not start is left running
        broken = attack(use_ray=True, target_models=[{"target_model": "no_such_model", "num_gpus": 1}])
        with pytest.raises(HarmbenchError, match="Ray actor failed: .*no_such_model"):
            generate(broken, behaviors, models)
    finally:
        ray.shutdown()
    assert suffixes(remote, behaviors) == local
    assert remote[0].cost.backward_passes + remote[1].cost.backward_passes + remote[2].cost.backward_passes == 3


def test_gcg_multi_through_the_pipeline(tmp_path):
    configs = tmp_path / "configs"
    shutil.copytree(default_configs_dir(), configs)
    path = configs / "method_configs" / "EnsembleGCG_config.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["toy"].update(num_steps=2, search_width=16)
    path.write_text(yaml.safe_dump(doc))
    config = RunConfig(run_dir=tmp_path / "run", methods=["GCG-Multi"], models=["toy"], behavior_ids=IDS[:2],
                       judges=["refusal"], configs=str(configs), max_new_tokens=8)
    result = run(config)
    assert result.counts == {"test_cases": 2, "completions": 10, "labels": 10}
    with RunStore(tmp_path / "run") as store:
        cases = store.test_cases("EnsembleGCG", "toy")
        assert sorted((t.behavior_id, t.idx) for t in cases) == [(b, i) for b in sorted(IDS[:2]) for i in range(5)]
        logs = store.behavior_logs("EnsembleGCG", "toy")
        assert [entry["run_id"] for entry in logs[IDS[0]]] == ["0", "1", "2", "3", "4"]
        assert len({entry["suffix"] for entry in logs[IDS[0]]}) == 5  # the five runs' suffixes differ
        prompts = {b.behavior_id: b.prompt(optimizer=True) for b in load_behaviors("demo")}
        assert all(t.text == prompts[t.behavior_id] + logs[IDS[0]][t.idx]["suffix"] for t in cases)
    assert run(config).counts == {"test_cases": 0, "completions": 0, "labels": 0}


TRANSFER = "llama2_7b_vicuna_7b_llama2_13b_vicuna_13b_multibehavior_1000steps"


def test_config_agrees_with_upstream_and_plans(shared_configs):
    ours, upstream = load_configs(None), load_configs(shared_configs)
    theirs, _ = upstream.method("EnsembleGCG").all_experiments(upstream.models)
    assert TRANSFER in theirs and len(theirs) > 30
    for name, experiment in theirs.items():  # models.yaml entries differ (tokens, ...): compare the rest
        mine = dict(ours.method("EnsembleGCG").resolve(name, ours.models).hyperparameters)
        up = dict(experiment.hyperparameters)
        assert [t["num_gpus"] for t in mine.pop("target_models")] == [t["num_gpus"] for t in up.pop("target_models")]
        assert mine == up, name
    assert ours.method("EnsembleGCG").resolve(TRANSFER, ours.models).hyperparameters == theirs[TRANSFER].hyperparameters
    toy = ours.method("EnsembleGCG").resolve("toy", ours.models).hyperparameters
    assert toy["target_models"] == [{"target_model": {"model_name_or_path": "builtin:toy-chat", "dtype": "float32"},
                                     "num_gpus": 0}]
    # GCG-Transfer's test cases go to every requested model, API ones included; GCG-Multi attacks each model
    jobs, skipped = plan_jobs(ours, ["GCG-Multi", "GCG-Transfer"], ["toy", "gpt-4-0613"])
    assert [(j.method, j.experiment, j.models, j.target_model) for j in jobs] == [
        ("GCG-Multi", "toy", ["toy"], "toy"), ("GCG-Transfer", TRANSFER, ["toy", "gpt-4-0613"], "")]
    assert len(skipped) == 1 and "GCG-Multi on gpt-4-0613" in skipped[0]
    assert get_attack("EnsembleGCG", jobs[1].hyperparameters).num_steps == 1000
