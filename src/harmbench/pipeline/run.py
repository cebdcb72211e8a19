"""`harmbench run`: steps 1 -> 1.5 -> 2 -> 3 over one run store, resumable, with a summary at the end."""

from __future__ import annotations

import hashlib
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from harmbench.attacks import AttackContext
from harmbench.behaviors import load_behaviors
from harmbench.config import load_configs
from harmbench.errors import ConfigError
from harmbench.judges import get_judge
from harmbench.pipeline.evaluate import evaluate
from harmbench.pipeline.executors import Executor, LocalExecutor
from harmbench.pipeline.manifest import build_manifest, compare_manifests
from harmbench.pipeline.plan import Job, plan_jobs
from harmbench.pipeline.steps import generate_completions, generate_test_cases, merge_test_cases
from harmbench.store import RunStore

log = logging.getLogger(__name__)

STEPS = ("1", "1.5", "2", "3", "2_and_3", "all")
DEMO_METHODS = ["DirectRequest", "HumanJailbreaks:demo", "GCG"]
DEMO_JUDGES = ["refusal_copyright", "advbench", "refusal"]


@dataclass
class RunConfig:
    run_dir: Path = Path("runs/demo")
    methods: list[str] = field(default_factory=lambda: list(DEMO_METHODS))
    models: list[str] = field(default_factory=lambda: ["toy"])
    behaviors: str = "demo"
    behavior_ids: list[str] | None = None
    data_dir: str | None = None
    configs: str | None = None
    max_new_tokens: int = 512
    judges: list[str] = field(default_factory=lambda: list(DEMO_JUDGES))
    primary_judge: str | None = None
    seed: int = 0
    overwrite: bool = False
    executor: str = "local"
    ray_address: str | None = None
    completion_batch: int = 32  # test cases per completion unit (one batch, committed together)


@dataclass
class RunResult:
    run_dir: Path
    jobs: list[Job]
    skipped: list[str]
    counts: dict[str, int]
    manifest_changes: list[str]
    notes: list[str] = field(default_factory=list)  # what the steps left out or found, for the user


def make_executor(name: str, ray_address: str | None, configs: str | None = None) -> Executor:
    if name == "local":
        return LocalExecutor()
    if name == "ray":
        from harmbench.pipeline.ray_executor import RayExecutor

        return RayExecutor(address=ray_address, configs=configs)
    raise ConfigError(f"unknown executor {name!r}", hint="use local or ray")


class ModelCache:
    """Loads each model once per run and records its chat template for the manifest."""

    def __init__(self, configs_dir):
        self.configs_dir = configs_dir
        self.loaded: dict[str, object] = {}
        self.templates: dict[str, str] = {}

    def __call__(self, spec):
        from harmbench.models import get_target

        key = spec if isinstance(spec, str) else repr(sorted(spec.items()))
        if key not in self.loaded:
            target = get_target(spec, configs=self.configs_dir)
            self.loaded[key] = target
            template = getattr(target, "chat_template", None)
            if template and isinstance(spec, str):
                self.templates[spec] = hashlib.sha256(template.encode()).hexdigest()
        return self.loaded[key]

    def close(self) -> None:
        for target in self.loaded.values():
            target.close()
        self.loaded.clear()


@contextmanager
def _progress(console: Console | None):
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=False, disable=console is None)
    with bar:
        yield bar


def run(config: RunConfig, step: str = "all", console: Console | None = None) -> RunResult:
    """Run the pipeline's `step` (1, 1.5, 2, 3, 2_and_3 or all) for `config`; resumable."""
    if step not in STEPS:
        raise ConfigError(f"unknown step {step!r}", hint=f"use one of: {', '.join(STEPS)}")
    configs = load_configs(config.configs)
    behaviors = load_behaviors(config.behaviors, data_dir=config.data_dir)
    if config.behavior_ids:
        known = {b.behavior_id for b in behaviors}
        unknown = [i for i in config.behavior_ids if i not in known]
        if unknown:
            raise ConfigError(f"BehaviorID {unknown[0]!r} is not in {config.behaviors!r}",
                              hint="list them with: harmbench behaviors list --dataset " + config.behaviors)
        wanted = set(config.behavior_ids)
        behaviors = [b for b in behaviors if b.behavior_id in wanted]
    jobs, skipped = plan_jobs(configs, config.methods, config.models)
    judges = ([get_judge(n, configs=config.configs, data_dir=config.data_dir) for n in config.judges]
              if step in ("3", "2_and_3", "all") else [])
    models = ModelCache(config.configs)
    executor = make_executor(config.executor, config.ray_address, config.configs)
    counts = {"test_cases": 0, "completions": 0, "labels": 0}
    notes: list[str] = []
    with RunStore(config.run_dir) as store:
        store.set_meta("behaviors_dataset", config.behaviors)
        store.set_meta("method_names", {**(store.get_meta("method_names") or {}), **{j.key: j.method for j in jobs}})
        store.set_meta("experiment_models", {**(store.get_meta("experiment_models") or {}),
                                             **{j.key: j.models for j in jobs}})
        context = AttackContext(load_model=models, data_dir=config.data_dir, seed=config.seed)
        try:
            with _progress(console) as bar:
                if step in ("1", "all"):
                    for job in jobs:
                        task = bar.add_task(f"test cases  {job.method} [{job.experiment}]", total=len(behaviors))
                        r = generate_test_cases(store, job, behaviors, context=context, overwrite=config.overwrite,
                                                executor=executor, progress=lambda k, t=task: bar.advance(t, k))
                        bar.update(task, total=r.done + r.already, completed=r.done + r.already)
                        counts["test_cases"] += r.done
                        notes += r.notes
                if step in ("1.5", "all"):
                    for job in jobs:
                        notes += merge_test_cases(store, job).notes
                if step in ("2", "2_and_3", "all"):
                    for job in jobs:
                        for model in job.models:
                            task = bar.add_task(f"completions {job.method} [{job.experiment}] → {model}", total=None)
                            r = generate_completions(store, job, model, load_model=models,
                                                     max_new_tokens=config.max_new_tokens, executor=executor,
                                                     chunk=config.completion_batch, progress=lambda k, t=task: bar.advance(t, k))
                            bar.update(task, total=r.done + r.already, completed=r.done + r.already)
                            counts["completions"] += r.done
                if judges:
                    by_id = {b.behavior_id: b for b in behaviors}
                    task = bar.add_task("judging", total=None)
                    report = evaluate(store, judges, by_id, max_new_tokens=config.max_new_tokens,
                                      progress=lambda n, k: bar.advance(task, k))
                    counts["labels"] += sum(report.labelled.values())
                    store.set_meta("judge_names", config.judges)
                    store.set_meta("primary_judge", config.primary_judge or config.judges[0])
        finally:
            models.close()
            executor.close()
        manifest = build_manifest(
            jobs=jobs, behaviors_name=config.behaviors, behaviors=behaviors, max_new_tokens=config.max_new_tokens,
            judges=(store.get_meta("judges") or {}), seed=config.seed,
            models={m: {**configs.models.get(m).model, "chat_template_sha256": models.templates.get(m)}
                    for m in config.models})
        previous = store.get_meta("manifest")
        for m, info in manifest["models"].items():  # keep template hashes recorded by earlier steps
            if info["chat_template_sha256"] is None and previous:
                info["chat_template_sha256"] = previous.get("models", {}).get(m, {}).get("chat_template_sha256")
        changes = compare_manifests(previous, manifest) if previous else []
        store.set_meta("manifest", manifest)
    return RunResult(Path(config.run_dir), jobs, skipped, counts, changes, notes)
