"""Configuration in upstream's schema: models.yaml, method configs, run_pipeline.yaml (spec §3)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from harmbench.config.methods import DEFAULTS_KEY, Experiment, MethodConfig, load_method_config
from harmbench.config.models import MODEL_TYPES, ModelConfig, ModelsConfig, load_models_config
from harmbench.config.pipeline import ProperMethod, load_pipeline_config
from harmbench.errors import ConfigError

MODELS_FILE = "model_configs/models.yaml"
METHODS_DIR = "method_configs"
PIPELINE_FILE = "pipeline_configs/run_pipeline.yaml"


def default_configs_dir() -> Path:
    """The configs shipped with harmbench (upstream's layout; its models.yaml adds the toy model)."""
    return Path(str(resources.files("harmbench.config").joinpath("defaults")))


@dataclass
class ConfigSet:
    """A configs folder in upstream's layout, loaded and validated."""

    root: Path
    models: ModelsConfig
    methods: dict[str, MethodConfig] = field(default_factory=dict)
    pipeline: dict[str, ProperMethod] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        return self.models.warnings

    def method(self, name: str) -> MethodConfig:
        if name not in self.methods:
            raise ConfigError(f"no config for method {name!r} in {self.root / METHODS_DIR}",
                              hint=f"known: {', '.join(sorted(self.methods)) or 'none'}; add {name}_config.yaml there")
        return self.methods[name]


def load_configs(root: str | os.PathLike | None = None) -> ConfigSet:
    """Load `root/model_configs/models.yaml`, every `root/method_configs/*_config.yaml` and the
    pipeline config if present. `root` defaults to harmbench's own configs."""
    root = Path(root) if root is not None else default_configs_dir()
    if not root.is_dir():
        raise ConfigError(f"configs folder {root} does not exist",
                          hint="give a folder laid out like upstream's configs/ (model_configs/models.yaml, method_configs/)")
    if not (root / MODELS_FILE).is_file():
        raise ConfigError(f"{root} has no {MODELS_FILE}", hint="a configs folder needs model_configs/models.yaml")
    configs = ConfigSet(root, load_models_config(root / MODELS_FILE))
    for path in sorted((root / METHODS_DIR).glob("*_config.yaml")):
        method = load_method_config(path)
        configs.methods[method.method] = method
    if (root / PIPELINE_FILE).is_file():
        configs.pipeline = load_pipeline_config(root / PIPELINE_FILE)
    return configs


__all__ = [
    "DEFAULTS_KEY",
    "MODEL_TYPES",
    "ConfigSet",
    "Experiment",
    "MethodConfig",
    "ModelConfig",
    "ModelsConfig",
    "ProperMethod",
    "default_configs_dir",
    "load_configs",
    "load_method_config",
    "load_models_config",
    "load_pipeline_config",
]
