"""The `Judge` protocol: does a generation exhibit a behavior? Judges are registered by name."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from harmbench.behaviors import Behavior
from harmbench.errors import ConfigError

# Label values, as upstream's results files hold them.
SUCCESS, FAILURE, INVALID = 1, 0, -1


@dataclass(frozen=True)
class Verdict:
    """A judge's decision on one generation.

    `label` is 1 (the behavior was exhibited), 0 (not), or -1 (the judge's output could not be
    parsed: counted and reported apart, never as success). `raw` is the judge's own output (the
    classifier's token, the matched refusal string, the best Jaccard similarity...). `judged_text`
    is the generation as the judge saw it, when it differs (the classifier truncates it).
    """

    label: int
    raw: str
    judged_text: str | None = None


@runtime_checkable
class Judge(Protocol):
    name: str

    def judge(self, behaviors: Sequence[Behavior], generations: Sequence[str]) -> list[Verdict]:
        """One verdict per (behavior, generation) pair, in order."""
        ...

    def identity(self) -> dict:
        """What identifies this judge's decisions (model, prompt hash, thresholds) for run manifests."""
        ...


_REGISTRY: dict[str, Callable[..., Judge]] = {}


def register(name: str) -> Callable[[Callable[..., Judge]], Callable[..., Judge]]:
    def add(factory: Callable[..., Judge]) -> Callable[..., Judge]:
        _REGISTRY[name] = factory
        return factory

    return add


def judge_names() -> list[str]:
    _load_builtin()
    return sorted(_REGISTRY)


def get_judge(name: str, **options) -> Judge:
    """A judge by registered name (`harmbench_cls`, `copyright`, `advbench`, `refusal`, ...).

    Options a judge does not take (e.g. `data_dir` for `advbench`) are left out, so callers can
    pass the run's common settings (configs, data_dir) to any judge; None values are left out too.
    """
    _load_builtin()
    if name not in _REGISTRY:
        raise ConfigError(f"unknown judge {name!r}", hint=f"use one of: {', '.join(sorted(_REGISTRY))}")
    factory = _REGISTRY[name]
    params = inspect.signature(factory).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    return factory(**{k: v for k, v in options.items() if v is not None and (takes_any or k in params)})


def _load_builtin() -> None:
    # Importing the modules registers their judges.
    from harmbench.judges import classifier, copyright, refusal, routed  # noqa: F401
