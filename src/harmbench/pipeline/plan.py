"""Which (method, experiment) jobs a run does, and which target models each job's test cases go to.

Methods are the paper's proper method names from the pipeline config (`GCG`, `GCG-Multi`,
`HumanJailbreaks`, ...), optionally with an experiment: `NAME:EXPERIMENT` (NAME may also be a
class name). A proper method whose experiment template holds `<model_name>` gives one experiment
per requested model; a fixed experiment is shared by all requested models. A pair of method and
model the method cannot attack (model type not allowed, white-box method on an API model, text
method on a multimodal model) is skipped with a message saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harmbench.attacks import NEEDS_MULTIMODAL, NEEDS_WHITEBOX, attack_classes
from harmbench.config import ConfigSet
from harmbench.errors import ConfigError


@dataclass
class Job:
    method: str  # proper method name as asked (e.g. GCG-Multi)
    class_name: str  # attack class (e.g. EnsembleGCG); the store keys test cases by it
    experiment: str
    hyperparameters: dict[str, Any]
    models: list[str]  # target models that answer this job's test cases
    target_model: str = ""  # the model the test cases were optimised for ('' = any)
    chunk_size: int | None = None  # behaviors per step-1 task on a cluster (None = all in one)
    num_gpus: int = 0  # GPUs a step-1 task asks for: the method's base GPUs + the target model's
    run_ids: tuple[str, ...] = ("",)  # independent repeats of the job (GCG-Multi/Transfer: 5)

    @property
    def key(self) -> str:
        return f"{self.class_name}/{self.experiment}"


def _compatible(configs: ConfigSet, class_name: str, allowed: tuple[str, ...], model: str,
                per_model: bool = True) -> str | None:
    """None if `class_name` can attack `model`, else why not.

    A white-box method needs the model's weights only when its test cases are optimised on that
    model (a per-model experiment); a fixed experiment (GCG-Transfer) optimises on the models its
    config names, and its test cases go to any model the pipeline config allows."""
    cfg = configs.models.get(model)
    if cfg.model_type not in allowed:
        return f"{model} is {cfg.model_type}; the method attacks {', '.join(allowed)} models"
    needs = attack_classes()[class_name].needs
    if NEEDS_WHITEBOX in needs and per_model and not cfg.model_type == "open_source":
        return f"{class_name} needs white-box access and {model} is {cfg.model_type}"
    if (NEEDS_MULTIMODAL in needs) != cfg.is_multimodal:
        kind = "multimodal" if cfg.is_multimodal else "text"
        return f"{class_name} is {'a multimodal' if NEEDS_MULTIMODAL in needs else 'a text'} method and {model} is a {kind} model"
    return None


def plan_jobs(configs: ConfigSet, methods: list[str], models: list[str]) -> tuple[list[Job], list[str]]:
    """The jobs of a run, and one message per skipped (method, model) pair."""
    for model in models:
        configs.models.get(model)  # unknown names fail here, with suggestions
    jobs: list[Job] = []
    skipped: list[str] = []
    classes = attack_classes()
    for spec in methods:
        name, _, experiment_override = spec.partition(":")
        proper = configs.pipeline.get(name)
        class_name = proper.class_name if proper else name
        if class_name not in classes:
            known = sorted(set(configs.pipeline) | set(classes))
            raise ConfigError(f"unknown or not yet available method {name!r}",
                              hint=f"available here: {', '.join(p for p in known if (configs.pipeline[p].class_name if p in configs.pipeline else p) in classes)}")
        allowed = proper.allowed_target_model_types if proper else ("open_source", "closed_source")
        chunk = proper.behavior_chunk_size if proper else None
        runs = proper.run_ids if proper else ("",)
        method_config = configs.method(class_name)
        # A bare class name (e.g. EnsembleGCG) runs per model when its config has experiments named
        # after the models (`<model_name1>`), else its `default` experiment.
        per_model = not experiment_override and (proper.per_model if proper else all(
            m in method_config.experiment_names(configs.models) for m in models))
        ok_models = []
        for model in models:
            why = _compatible(configs, class_name, allowed, model, per_model)
            if why:
                skipped.append(f"skipping {spec} on {model}: {why}")
            else:
                ok_models.append(model)
        if not per_model:
            experiment = experiment_override or (proper.experiment_name_template if proper else "default")
            if ok_models:
                hp = method_config.resolve(experiment, configs.models).hyperparameters
                jobs.append(Job(spec, class_name, experiment, hp, ok_models, chunk_size=chunk,
                                num_gpus=proper.base_num_gpus if proper else 0, run_ids=runs))
            continue
        for model in ok_models:
            experiment = proper.experiment_for(model) if proper else model
            hp = method_config.resolve(experiment, configs.models).hyperparameters
            jobs.append(Job(spec, class_name, experiment, hp, [model], target_model=model, chunk_size=chunk,
                            num_gpus=(proper.base_num_gpus if proper else 0) + configs.models.get(model).num_gpus,
                            run_ids=runs))
    return jobs, skipped
