"""models.yaml: the target, attacker and judge models a run can use (upstream's schema, spec §3.1)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harmbench.config.yamlfile import YamlFile, read_yaml
from harmbench.errors import ConfigError

MODEL_TYPES = ("open_source", "closed_source", "open_source_multimodal", "closed_source_multimodal")
ENTRY_KEYS = ("model", "model_type", "num_gpus")
DTYPES = ("float16", "fp16", "half", "bfloat16", "bf16", "float32", "float", "auto")


@dataclass(frozen=True)
class ModelConfig:
    """One models.yaml entry. `model` holds the loader's keyword arguments as written."""

    name: str
    model: dict[str, Any]
    model_type: str
    num_gpus: int = 0
    raw: dict[str, Any] = field(default_factory=dict, repr=False)  # the entry, for <model_nameK>[...] references

    @property
    def model_name_or_path(self) -> str:
        return self.model["model_name_or_path"]

    @property
    def is_open_source(self) -> bool:
        return self.model_type.startswith("open_source")

    @property
    def is_multimodal(self) -> bool:
        return self.model_type.endswith("multimodal")


@dataclass
class ModelsConfig:
    path: Path
    models: dict[str, ModelConfig]
    warnings: list[str] = field(default_factory=list)

    def names(self) -> list[str]:
        return list(self.models)

    def __contains__(self, name: object) -> bool:
        return name in self.models

    def get(self, name: str) -> ModelConfig:
        if name in self.models:
            return self.models[name]
        close = difflib.get_close_matches(name, self.models, n=3)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else "see `harmbench models list`"
        raise ConfigError(f"unknown model {name!r}", where=str(self.path), hint=f"{hint} (or add an entry to that file)")


def load_models_config(path: str | Path) -> ModelsConfig:
    doc = read_yaml(path, what="models config")
    if doc.data is None:
        raise ConfigError("the file is empty", where=str(doc.path), hint="a models.yaml maps model names to entries")
    if not isinstance(doc.data, dict):
        raise ConfigError("the top level must map model names to entries", where=doc.where())
    config = ModelsConfig(doc.path, {})
    for name, entry in doc.data.items():
        config.models[str(name)] = _parse_entry(doc, str(name), entry, config.warnings)
    return config


def _parse_entry(doc: YamlFile, name: str, entry: Any, warnings: list[str]) -> ModelConfig:
    if not isinstance(entry, dict):
        raise ConfigError(f"model entry {name!r} must be a mapping with model, model_type and num_gpus",
                          where=doc.where(name))
    entry = dict(entry)
    if "mode" in entry and "model" not in entry:
        # Upstream's models.yaml spells `model` as `mode` in its mistral-medium entry.
        warnings.append(f"{doc.where(name, 'mode')}: entry {name!r} has 'mode', read as 'model' (upstream's typo)")
        entry["model"] = entry.pop("mode")
    unknown = [k for k in entry if k not in ENTRY_KEYS]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), ENTRY_KEYS, n=1)
        raise ConfigError(
            f"model {name!r} has unknown key {unknown[0]!r}", where=doc.where(name, unknown[0]),
            hint=(f"did you mean {close[0]!r}? " if close else "")
            + f"an entry's keys are {', '.join(ENTRY_KEYS)}; loader options go under 'model'",
        )
    model_type = entry.get("model_type")
    if model_type not in MODEL_TYPES:
        raise ConfigError(f"model {name!r} has model_type {model_type!r}", where=doc.where(name, "model_type"),
                          hint=f"use one of: {', '.join(MODEL_TYPES)}")
    model = entry.get("model")
    if not isinstance(model, dict) or not isinstance(model.get("model_name_or_path"), str):
        raise ConfigError(f"model {name!r} needs 'model' with a 'model_name_or_path' string",
                          where=doc.where(name, "model"),
                          hint="e.g. model: {model_name_or_path: org/Some-7B-Chat, dtype: bfloat16}")
    dtype = model.get("dtype")
    if dtype is not None and dtype not in DTYPES:
        raise ConfigError(f"model {name!r} has dtype {dtype!r}", where=doc.where(name, "model", "dtype"),
                          hint=f"use one of: {', '.join(DTYPES)}")
    num_gpus = entry.get("num_gpus", 0)
    if not isinstance(num_gpus, int) or isinstance(num_gpus, bool) or num_gpus < 0:
        raise ConfigError(f"model {name!r} has num_gpus {num_gpus!r}", where=doc.where(name, "num_gpus"),
                          hint="use a whole number of GPUs, 0 or more")
    return ModelConfig(name, dict(model), model_type, num_gpus, entry)
