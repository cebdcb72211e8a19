"""Which model an LLM attack's `attack_model`, `judge_model`, `target_model` or `mutate_model` means.

Upstream's configs give these as loader dicts (`{model_name_or_path: ..., use_vllm: true, ...}`)
and its PAIR/TAP per-model experiments name the target by path with a FastChat template. We accept
a models.yaml name or a loader dict; a loader dict whose `model_name_or_path` is that of a
models.yaml entry means that entry (its backend, chat template and API-key settings), so the
search talks to the target exactly as step 2's completions do. Other loader dicts are loaded as
given, minus `fschat_template` (FastChat is not used; the tokenizer's template or `chat_template`
applies). `context.load_model` caches models, so an attacker that is also the judge loads once.
"""

from __future__ import annotations

import logging
from typing import Any

from harmbench.attacks.base import AttackContext
from harmbench.config import load_configs
from harmbench.errors import ConfigError

log = logging.getLogger(__name__)


def model_spec(spec: Any, configs_dir: Any = None, models: Any = None) -> str | dict:
    """A models.yaml name or a loader dict for `context.load_model` (`models`: a loaded ModelsConfig)."""
    if isinstance(spec, str):
        return spec
    if not isinstance(spec, dict) or not isinstance(spec.get("model_name_or_path"), str):
        raise ConfigError(f"a model must be a models.yaml name or a mapping with model_name_or_path, not {spec!r}")
    models = models if models is not None else load_configs(configs_dir).models
    path = spec["model_name_or_path"]
    for name in models.names():
        if models.get(name).model_name_or_path == path:
            return name
    if "fschat_template" in spec:
        log.warning("%s: fschat_template %r is ignored (FastChat is not used); set chat_template instead",
                    path, spec["fschat_template"])
    return {k: v for k, v in spec.items() if k != "fschat_template"}


def load_llm(context: AttackContext, spec: Any, method: str, role: str) -> Any:
    """Load one of a method's models; `role` (e.g. "attack_model") names it in errors."""
    if spec is None:
        raise ConfigError(f"{method} needs {role}",
                          hint=f"set {role}: to a models.yaml name (e.g. standin, the CPU stand-in) or a loader dict")
    return context.load_model(model_spec(spec, getattr(context.load_model, "configs_dir", None)))
