"""run_pipeline.yaml: the "proper methods" of the paper's tables mapped to classes and experiments (spec §1.6)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from harmbench.config.models import MODEL_TYPES
from harmbench.config.yamlfile import read_yaml
from harmbench.errors import ConfigError

ENTRY_KEYS = ("class_name", "experiment_name_template", "behavior_chunk_size", "base_num_gpus", "run_ids",
              "allowed_target_model_types")


@dataclass(frozen=True)
class ProperMethod:
    name: str  # e.g. GCG-Transfer
    class_name: str  # e.g. EnsembleGCG
    experiment_name_template: str  # may contain <model_name>
    behavior_chunk_size: int | None  # None = all behaviors in one chunk
    base_num_gpus: int
    run_ids: tuple[str, ...]  # ('',) when the method runs once
    allowed_target_model_types: tuple[str, ...]

    @property
    def per_model(self) -> bool:
        return "<model_name>" in self.experiment_name_template

    def experiment_for(self, model_name: str) -> str:
        return self.experiment_name_template.replace("<model_name>", model_name)


def load_pipeline_config(path: str | Path) -> dict[str, ProperMethod]:
    doc = read_yaml(path, what="pipeline config")
    if not isinstance(doc.data, dict):
        raise ConfigError("the pipeline config maps proper method names to entries", where=doc.where())
    methods = {}
    for name, entry in doc.data.items():
        name = str(name)
        if not isinstance(entry, dict):
            raise ConfigError(f"entry {name!r} must be a mapping", where=doc.where(name))
        for key in entry:
            if key not in ENTRY_KEYS:
                close = difflib.get_close_matches(str(key), ENTRY_KEYS, n=1)
                raise ConfigError(f"proper method {name!r} has unknown key {key!r}", where=doc.where(name, key),
                                  hint=(f"did you mean {close[0]!r}? " if close else "") + f"keys: {', '.join(ENTRY_KEYS)}")
        for key in ("class_name", "experiment_name_template"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise ConfigError(f"proper method {name!r} needs a {key}", where=doc.where(name, key))
        chunk = entry.get("behavior_chunk_size", 5)  # upstream's default
        if chunk != "all_behaviors" and (not isinstance(chunk, int) or isinstance(chunk, bool) or chunk < 1):
            raise ConfigError(f"behavior_chunk_size of {name!r} is {chunk!r}", where=doc.where(name, "behavior_chunk_size"),
                              hint="use a positive whole number or all_behaviors")
        types = entry.get("allowed_target_model_types", list(MODEL_TYPES))
        bad = [t for t in types if t not in MODEL_TYPES] if isinstance(types, list) else [types]
        if bad:
            raise ConfigError(f"proper method {name!r} allows unknown model type {bad[0]!r}",
                              where=doc.where(name, "allowed_target_model_types"), hint=f"use: {', '.join(MODEL_TYPES)}")
        base_gpus = entry.get("base_num_gpus", 0)
        if not isinstance(base_gpus, int) or isinstance(base_gpus, bool) or base_gpus < 0:
            raise ConfigError(f"base_num_gpus of {name!r} is {base_gpus!r}", where=doc.where(name, "base_num_gpus"))
        run_ids = entry.get("run_ids", [""])
        if not isinstance(run_ids, list):
            raise ConfigError(f"run_ids of {name!r} must be a list", where=doc.where(name, "run_ids"))
        methods[name] = ProperMethod(
            name, entry["class_name"], entry["experiment_name_template"],
            None if chunk == "all_behaviors" else chunk, base_gpus,
            tuple(str(r) for r in run_ids), tuple(types),
        )
    return methods
