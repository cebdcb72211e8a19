"""`get_target`: build a `Target` from a models.yaml name, entry, or loader dict."""

from __future__ import annotations

import importlib.util
import logging
import os
from typing import Any

from harmbench.config import ModelConfig, load_configs
from harmbench.errors import ConfigError
from harmbench.models.base import Target

log = logging.getLogger(__name__)

BACKENDS = ("hf", "vllm", "openai", "standin")  # standin: the rule-based stand-in LLM (models/standin)


def model_config(spec: str | ModelConfig | dict[str, Any], configs: str | os.PathLike | None = None) -> ModelConfig:
    """A ModelConfig from a models.yaml name, a ModelConfig, or a loader dict (`target_model:` in method configs)."""
    if isinstance(spec, ModelConfig):
        return spec
    if isinstance(spec, dict):
        if not isinstance(spec.get("model_name_or_path"), str):
            raise ConfigError("a model given inline needs a model_name_or_path", hint="e.g. {model_name_or_path: org/m}")
        # A loader dict naming a hosted model (upstream's PAIR/TAP experiments: gpt-4-0613, claude-2, ...)
        # is an API model.
        from harmbench.models.openai_api import provider_for

        hosted = provider_for(spec["model_name_or_path"]) is not None
        model_type = spec.get("model_type", "closed_source" if hosted else "open_source")
        return ModelConfig(spec["model_name_or_path"], dict(spec), model_type, int(spec.get("num_gpus", 0)), {"model": spec})
    return load_configs(configs).models.get(spec)


def choose_backend(cfg: ModelConfig, backend: str | None = None) -> str:
    """The explicit choice, else `backend:` in the entry, else by model type and options."""
    chosen = backend or cfg.model.get("backend")
    if chosen is None:
        if cfg.model_type.startswith("closed_source") or cfg.model.get("base_url"):
            chosen = "openai"
        elif cfg.model.get("use_vllm") and vllm_usable():
            chosen = "vllm"
        else:
            chosen = "hf"
    if chosen not in BACKENDS:
        raise ConfigError(f"model {cfg.name!r}: unknown backend {chosen!r}", hint=f"use one of: {', '.join(BACKENDS)}")
    return chosen


def vllm_usable() -> bool:
    if importlib.util.find_spec("vllm") is None:
        return False
    import torch

    return torch.cuda.is_available()


def get_target(spec: str | ModelConfig | dict[str, Any], *, configs: str | os.PathLike | None = None,
               backend: str | None = None) -> Target:
    """Load the model named `spec` (or described by it) behind the `Target` protocol."""
    cfg = model_config(spec, configs)
    if cfg.is_multimodal:
        raise ConfigError(f"model {cfg.name!r} is multimodal, which this harmbench version cannot run yet",
                          hint="choose a text model (see `harmbench models list`)")
    chosen = choose_backend(cfg, backend)
    if chosen == "standin":
        from harmbench.models.standin import StandInLLM

        return StandInLLM.from_config(cfg)
    if chosen == "openai":
        from harmbench.models.openai_api import openai_target_from_config

        return openai_target_from_config(cfg)
    if chosen == "vllm":
        from harmbench.models.vllm_backend import VLLMTarget

        return VLLMTarget.from_config(cfg)
    from harmbench.models.hf import HFTarget

    return HFTarget.from_config(cfg)
