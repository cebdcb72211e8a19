"""The Ray executor on a real local Ray runtime (2 CPUs): it fills a store exactly as the local
executor does, retries flaky tasks, reports failed chunks after committing the others, and cuts
step 1 into chunks of `chunk_size` behaviors."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'harmbench[ray]')")

from harmbench.attacks import Attack, AttackContext, BehaviorResult  # noqa: E402
from harmbench.attacks import base as attacks_base  # noqa: E402
from harmbench.behaviors import load_behaviors  # noqa: E402
from harmbench.config import default_configs_dir, load_configs  # noqa: E402
from harmbench.errors import HarmbenchError  # noqa: E402
from harmbench.models import GenerationConfig, GenerationRequest  # noqa: E402
from harmbench.pipeline.executors import LocalExecutor  # noqa: E402
from harmbench.pipeline.plan import Job, plan_jobs  # noqa: E402
from harmbench.pipeline.ray_executor import RayExecutor, chunks_of  # noqa: E402
from harmbench.pipeline.run import ModelCache  # noqa: E402
from harmbench.pipeline.steps import generate_completions, generate_test_cases  # noqa: E402
from harmbench.store import RunStore  # noqa: E402
from tiny_models import make_tiny_llama  # noqa: E402

TESTS = Path(__file__).resolve().parent
MAX_NEW_TOKENS = 6


# --- test-only attacks; the Ray workers import this module (tests/ is on their PYTHONPATH) -------

class RecordingAttack(Attack):
    """One test case per behavior; every attempt of a chunk appends a line to `log_dir/attempts`.

    `flaky`: the chunk holding this behavior raises on its first attempt only.
    `broken`: the chunk holding this behavior always raises.
    """

    name = "TestRecording"

    def generate(self, behaviors, context):
        log_dir = Path(self.hyperparameters["log_dir"])
        ids = [b.behavior_id for b in behaviors]
        with open(log_dir / "attempts", "a") as f:
            f.write(",".join(ids) + "\n")
        if self.hyperparameters.get("slow") in ids:
            (log_dir / "slow.pid").write_text(str(os.getpid()))
            time.sleep(60)
        if self.hyperparameters.get("broken") in ids:
            raise RuntimeError(f"boom in {ids[0]}")
        flaky = self.hyperparameters.get("flaky")
        if flaky in ids and not (log_dir / "flaked").exists():
            (log_dir / "flaked").touch()
            raise RuntimeError("transient failure")
        where = f"pid={os.getpid()} seed={context.seed} data_dir={context.data_dir} " \
                f"configs={getattr(context.load_model, 'configs_dir', None)}"
        for b in behaviors:
            yield BehaviorResult(b.behavior_id, [f"case for {b.behavior_id}"], logs={"where": where})


def attempts(log_dir: Path) -> list[list[str]]:
    path = log_dir / "attempts"
    return [line.split(",") for line in path.read_text().splitlines()] if path.exists() else []


def recording_job(chunk_size: int | None, **hp) -> Job:
    return Job("TestRecording", "TestRecording", "test", hp, models=[], chunk_size=chunk_size)


# --- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def configs_dir(tmp_path_factory) -> Path:
    """harmbench's default configs plus `tiny`, a random-weight Llama made on the spot."""
    root = tmp_path_factory.mktemp("ray")
    model = make_tiny_llama(root / "tiny")
    dest = root / "configs"
    shutil.copytree(default_configs_dir(), dest)
    models_yaml = dest / "model_configs" / "models.yaml"
    entries = yaml.safe_load(models_yaml.read_text())
    entries["tiny"] = {"model": {"model_name_or_path": str(model)}, "num_gpus": 0, "model_type": "open_source"}
    models_yaml.write_text(yaml.safe_dump(entries))
    return dest


@pytest.fixture(scope="module")
def executor():
    """One local Ray runtime for the module, started (and shut down) by the executor itself."""
    if ray.is_initialized():
        pytest.skip("Ray is already initialised in this process")
    path = os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH")) if p)
    ex = RayExecutor(num_cpus=2, max_retries=2, runtime_env={"env_vars": {"PYTHONPATH": path}})
    yield ex
    ex.close()
    assert not ray.is_initialized(), "close() leaves the runtime it started running"


@pytest.fixture
def recording(monkeypatch):
    monkeypatch.setitem(attacks_base._REGISTRY, RecordingAttack.name, RecordingAttack)


@pytest.fixture(scope="module")
def text_behaviors():
    return [b for b in load_behaviors("demo") if not b.is_multimodal]


def snapshot(run_dir: Path) -> dict:
    db = sqlite3.connect(run_dir / "harmbench.sqlite")
    tables = {
        "test_cases": "SELECT method, experiment, behavior_id, idx, text, image FROM test_cases",
        "completions": "SELECT method, experiment, model, behavior_id, idx, generation, tokens_in, tokens_out, "
                       "finish_reason, max_new_tokens FROM completions",
    }
    out = {name: sorted(db.execute(sql).fetchall()) for name, sql in tables.items()}
    db.close()
    return out


# --- tests -------------------------------------------------------------------------------------

def test_ray_fills_the_store_as_local_does(executor, configs_dir, tmp_path):
    configs = load_configs(configs_dir)
    jobs, skipped = plan_jobs(configs, ["DirectRequest", "HumanJailbreaks:demo"], ["tiny"])
    assert [j.key for j in jobs] == ["DirectRequest/default", "HumanJailbreaks/demo"] and not skipped
    jobs = [replace(j, chunk_size=7) for j in jobs]  # several tasks per job (20 text behaviors -> 3)
    behaviors = load_behaviors("demo")
    templates = {}
    for name, ex in (("local", LocalExecutor()), ("ray", executor)):
        models = ModelCache(str(configs_dir))  # the driver's loader; Ray takes configs_dir from it
        context = AttackContext(load_model=models, data_dir=None, seed=0)
        with RunStore(tmp_path / name) as store:
            for job in jobs:
                generate_test_cases(store, job, behaviors, context=context, executor=ex)
            for job in jobs:
                r = generate_completions(store, job, "tiny", load_model=models, max_new_tokens=MAX_NEW_TOKENS,
                                         executor=ex, chunk=16)
                assert r.done > 0
        if name == "ray":
            assert not models.loaded, "the Ray run loaded a model in the driver"
        templates[name] = dict(models.templates)
        models.close()
    local, remote = snapshot(tmp_path / "local"), snapshot(tmp_path / "ray")
    assert len(local["test_cases"]) == 20 + 20 * 5 and len(local["completions"]) == 120
    assert remote == local
    assert templates["ray"] == templates["local"] and templates["ray"]["tiny"]


def test_chunks_become_tasks_with_their_own_context(executor, recording, text_behaviors, configs_dir, tmp_path):
    five = text_behaviors[:5]
    ids = [b.behavior_id for b in five]
    assert [[b.behavior_id for b in c] for c in chunks_of(five, 2)] == [ids[0:2], ids[2:4], ids[4:5]]
    context = AttackContext(load_model=ModelCache(str(configs_dir)), data_dir=tmp_path / "data", seed=7)
    with RunStore(tmp_path / "run") as store:
        r = generate_test_cases(store, recording_job(2, log_dir=str(tmp_path)), five, context=context,
                                executor=executor)
        assert r.done == 5
        assert sorted(attempts(tmp_path)) == sorted([ids[0:2], ids[2:4], ids[4:5]])  # 3 tasks
        logs = store.behavior_logs("TestRecording", "test")
    wheres = {v["where"] for v in logs.values()}
    assert all(f"seed=7 data_dir={tmp_path / 'data'} configs={configs_dir}" in w for w in wheres)
    assert all(f"pid={os.getpid()} " not in w for w in wheres), "a chunk ran in the driver"
    (tmp_path / "attempts").unlink()
    generate_test_cases(store := RunStore(tmp_path / "one"), recording_job(None, log_dir=str(tmp_path)), five,
                        context=context, executor=executor)
    store.close()
    assert attempts(tmp_path) == [ids]  # chunk_size None: one task

    # explicit configs / data_dir / seed win over the driver's context
    explicit = RayExecutor(configs=tmp_path, data_dir=tmp_path, seed=3)  # shares the runtime, does not own it
    try:
        results = list(explicit.run_attack(RecordingAttack(log_dir=str(tmp_path)), recording_job(None), five[:1],
                                           context))
    finally:
        explicit.close()
    assert ray.is_initialized()
    assert f"seed=3 data_dir={tmp_path} configs={tmp_path}" in results[0].logs["where"]


def test_a_flaky_chunk_is_retried(executor, recording, text_behaviors, tmp_path):
    five = text_behaviors[:5]
    ids = [b.behavior_id for b in five]
    context = AttackContext(load_model=lambda spec: None, seed=0)
    with RunStore(tmp_path / "run") as store:
        r = generate_test_cases(store, recording_job(2, log_dir=str(tmp_path), flaky=ids[2]), five,
                                context=context, executor=executor)
        assert r.done == 5
        assert sorted(t.behavior_id for t in store.test_cases("TestRecording", "test")) == sorted(ids)
    tries = attempts(tmp_path)
    assert tries.count(ids[2:4]) == 2 and tries.count(ids[0:2]) == 1 and tries.count(ids[4:5]) == 1


def test_a_failing_chunk_is_reported_after_the_others_are_committed(executor, recording, text_behaviors, tmp_path):
    five = text_behaviors[:5]
    ids = [b.behavior_id for b in five]
    context = AttackContext(load_model=lambda spec: None, seed=0)
    job = recording_job(2, log_dir=str(tmp_path), broken=ids[3])
    with RunStore(tmp_path / "run") as store:
        with pytest.raises(HarmbenchError) as caught:
            generate_test_cases(store, job, five, context=context, executor=executor)
        saved = sorted(t.behavior_id for t in store.test_cases("TestRecording", "test"))
    assert saved == sorted(ids[0:2] + ids[4:5])
    message = str(caught.value)
    assert ids[2] in message and ids[3] in message and "boom in" in message and "rerun" in message
    assert ids[0] not in message and ids[4] not in message
    assert attempts(tmp_path).count(ids[2:4]) == 3  # 1 + max_retries

    # the rerun does only the failed chunk
    (tmp_path / "attempts").unlink()
    with RunStore(tmp_path / "run") as store:
        r = generate_test_cases(store, replace(job, hyperparameters={"log_dir": str(tmp_path)}), five,
                                context=context, executor=executor)
        assert (r.done, r.already) == (2, 3)
    assert attempts(tmp_path) == [ids[2:4]]


def test_stopping_early_cancels_the_outstanding_tasks(executor, text_behaviors, tmp_path):
    two = text_behaviors[:2]
    attack = RecordingAttack(log_dir=str(tmp_path), slow=two[1].behavior_id)
    results = executor.run_attack(attack, recording_job(1), two, AttackContext(load_model=lambda spec: None))
    assert next(results).behavior_id == two[0].behavior_id
    deadline = time.monotonic() + 20
    while not (tmp_path / "slow.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = int((tmp_path / "slow.pid").read_text())
    results.close()  # what a KeyboardInterrupt in the driver's loop does to the generator
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the slow task's worker is still running after the driver stopped")


def test_a_model_that_cannot_load_is_a_clear_error(executor, configs_dir, tmp_path):
    bad = tmp_path / "configs"
    shutil.copytree(configs_dir, bad)
    models_yaml = bad / "model_configs" / "models.yaml"
    entries = yaml.safe_load(models_yaml.read_text())
    entries["broken"] = {"model": {"model_name_or_path": str(tmp_path / "nowhere"), "backend": "nope"},
                         "num_gpus": 0, "model_type": "open_source"}
    models_yaml.write_text(yaml.safe_dump(entries))
    with pytest.raises(HarmbenchError, match="could not load model broken") as caught:
        list(executor.run_completions("broken", [[GenerationRequest.user("hi")]], GenerationConfig(max_new_tokens=2),
                                      load_model=ModelCache(str(bad))))
    assert "unknown backend 'nope'" in str(caught.value)
