"""harmbench: evaluate automated red teaming and robust refusal of LLMs (HarmBench, arXiv 2402.04249)."""

from __future__ import annotations

from harmbench.behaviors import Behavior, load_behaviors
from harmbench.errors import ConfigError, DataError, HarmbenchError, StoreError
from harmbench.models import get_target

__version__ = "0.1.0"

__all__ = [
    "Behavior",
    "ConfigError",
    "DataError",
    "HarmbenchError",
    "StoreError",
    "__version__",
    "get_target",
    "load_behaviors",
]
