"""Which model an LLM attack's `attack_model`, `judge_model`, `target_model` or `mutate_model` means.

Upstream's configs give these as loader dicts (`{model_name_or_path: ..., use_vllm: true, ...}`)
and its PAIR/TAP per-model experiments name the target by path with a FastChat template. We accept
a models.yaml name or a loader dict. A loader dict whose `model_name_or_path` is that of a
models.yaml entry means that entry (its backend, chat template and API-key settings), so the
search talks to the target exactly as step 2's completions do; settings the dict adds or changes
(upstream's attacker asks for `use_vllm`, `num_gpus`, `dtype`) override the entry's. Other loader
dicts are loaded as given. `fschat_template` (FastChat is not used; the tokenizer's template or
`chat_template` applies) and `token` (API keys come from the environment) are dropped.

As upstream, a method's models with the same `model_name_or_path` are loaded once (`load_models`):
upstream's PAIR and TAP use one Mixtral as attacker and judge.
"""

from __future__ import annotations

import logging
from typing import Any

from harmbench.attacks.base import AttackContext
from harmbench.config import load_configs
from harmbench.errors import ConfigError
from harmbench.models.openai_api import provider_for

log = logging.getLogger(__name__)


_DROPPED = ("fschat_template", "token")


def model_spec(spec: Any, configs_dir: Any = None, models: Any = None) -> str | dict:
    """A models.yaml name or a loader dict for `context.load_model` (`models`: a loaded ModelsConfig).
    A name that is no models.yaml entry but a hosted model id (upstream's `mutate_model_path:
    gpt-3.5-turbo`) means that API model."""
    if isinstance(spec, str):
        if provider_for(spec) is None:
            return spec
        models = models if models is not None else load_configs(configs_dir).models
        return spec if spec in models else {"model_name_or_path": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("model_name_or_path"), str):
        raise ConfigError(f"a model must be a models.yaml name or a mapping with model_name_or_path, not {spec!r}")
    models = models if models is not None else load_configs(configs_dir).models
    path = spec["model_name_or_path"]
    if spec.get("fschat_template"):
        log.info("%s: fschat_template %r is not used (no FastChat); the model's chat template applies",
                 path, spec["fschat_template"])
    settings = {k: v for k, v in spec.items() if k not in _DROPPED}
    for name in models.names():
        entry = models.get(name).model
        if entry.get("model_name_or_path") == path:
            if all(entry.get(k) == v for k, v in settings.items()):
                return name
            return {**entry, **settings}
    return settings


def load_models(context: AttackContext, specs: dict[str, Any], method: str) -> dict[str, Any]:
    """Load a method's models by role (e.g. {"attack_model": ..., "judge_model": ...}), in order;
    a role whose model has the same `model_name_or_path` as an earlier role's shares it."""
    configs_dir = getattr(context.load_model, "configs_dir", None)
    models = None
    loaded: dict[str, Any] = {}
    by_path: dict[str, Any] = {}
    for role, spec in specs.items():
        if spec is None:
            raise ConfigError(f"{method} needs {role}",
                              hint=f"set {role}: to a models.yaml name (e.g. standin, the CPU stand-in) or a "
                                   "loader dict")
        if models is None:
            models = load_configs(configs_dir).models
        resolved = model_spec(spec, models=models)
        path = resolved["model_name_or_path"] if isinstance(resolved, dict) else (
            models.get(resolved).model_name_or_path if resolved in models else resolved)
        if path not in by_path:
            by_path[path] = context.load_model(resolved)
        loaded[role] = by_path[path]
    return loaded


def load_llm(context: AttackContext, spec: Any, method: str, role: str) -> Any:
    """Load one of a method's models; `role` (e.g. "attack_model") names it in errors."""
    return load_models(context, {role: spec}, method)[role]
