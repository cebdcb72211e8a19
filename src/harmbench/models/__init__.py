"""Target models behind one protocol: transformers (`hf`, white-box), vLLM, OpenAI-compatible APIs."""

from harmbench.models.base import (
    DEFAULT_MAX_NEW_TOKENS,
    Generation,
    GenerationConfig,
    GenerationRequest,
    Message,
    Target,
)
from harmbench.models.registry import BACKENDS, choose_backend, get_target, model_config

__all__ = [
    "BACKENDS",
    "DEFAULT_MAX_NEW_TOKENS",
    "Generation",
    "GenerationConfig",
    "GenerationRequest",
    "Message",
    "Target",
    "choose_backend",
    "get_target",
    "model_config",
]
