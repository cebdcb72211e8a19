"""The attack interface: a red-teaming method turns behaviors into test cases for a target.

Attacks are registered under upstream's class names (`DirectRequest`, `GCG`, `PAIR`, ...) and
built from an experiment's merged hyperparameters, as upstream builds its classes (unknown keys
are accepted and ignored, like upstream's `**kwargs`). They never write files: they yield one
`BehaviorResult` per behavior as each is finished, and the pipeline stores it.
"""

from __future__ import annotations

import difflib
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from harmbench.behaviors import Behavior
from harmbench.errors import ConfigError

# What a method needs, for `harmbench methods list` and method x model compatibility.
NEEDS_WHITEBOX = "white-box target"  # gradients/logits of an open-weight target (hf backend)
NEEDS_TARGET = "target queries"  # black-box generations from the target
NEEDS_ATTACKER = "attacker LLM"
NEEDS_JUDGE = "judge LLM"
NEEDS_MULTIMODAL = "multimodal target"


@dataclass
class Cost:
    """What producing a test case (or a completion) cost."""

    wall_s: float = 0.0
    forward_passes: int = 0
    backward_passes: int = 0
    api_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0

    def add(self, other: Cost) -> Cost:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def charge(self, generation: Any) -> None:
        """Count one model call (a `Generation`) and its tokens."""
        self.api_calls += 1
        self.tokens_in += generation.tokens_in or 0
        self.tokens_out += generation.tokens_out or 0


@dataclass
class BehaviorResult:
    """One behavior's test cases (text, or [image file name, text] for multimodal) and logs."""

    behavior_id: str
    test_cases: list[str | list[str]]
    logs: Any = None
    cost: Cost = field(default_factory=Cost)
    first_idx: int = 0  # index of the first test case: a method with several runs yields run r at r


@dataclass
class AttackContext:
    """What the pipeline hands an attack: model loading, data, seed, progress."""

    load_model: Callable[[Any], Any]  # models.yaml name or loader dict -> Target
    data_dir: Any = None
    seed: int = 0
    progress: Callable[[str], None] | None = None
    stored_counts: dict[str, int] = field(default_factory=dict)  # test cases already stored, by behavior


class Attack:
    """Base class. Subclasses set `name`, `needs`, and implement `generate`."""

    name: str = ""
    needs: frozenset[str] = frozenset()
    # Rough cost per behavior, for `harmbench methods list` (free text).
    cost_per_behavior: str = ""
    # The pipeline's run ids of this job (GCG-Multi and GCG-Transfer run 5 times, 1 test case each).
    run_ids: tuple[str, ...] = ("",)

    def expected_test_cases(self) -> int | None:
        """Test cases a finished behavior has (None: any number), so a resumed run can tell a
        behavior cut short between runs from a finished one."""
        return None

    def __init__(self, **hyperparameters: Any):
        self.hyperparameters = hyperparameters

    def generate(self, behaviors: Sequence[Behavior], context: AttackContext) -> Iterator[BehaviorResult]:
        raise NotImplementedError

    @staticmethod
    def timed(fn: Callable[[], BehaviorResult]) -> BehaviorResult:
        start = time.perf_counter()
        result = fn()
        result.cost.wall_s += time.perf_counter() - start
        return result


def positive_int(method: str, key: str, value: Any, also: str = "") -> int:
    """`value` if it is an integer >= 1, else a ConfigError naming the method and key (`also`: more
    accepted values, e.g. " or -1 for no limit")."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{method}: {key} must be a positive integer{also}, not {value!r}")
    return value


def positive_float(method: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{method}: {key} must be a positive number, not {value!r}")
    return float(value)


def stable_seed(run_seed: int, behavior_ids: Sequence[str], n: int, round_: int) -> int:
    """A seed that is the same in every process (unlike `hash`), below 2**31 for every backend."""
    key = "\x1f".join([str(run_seed), str(n), str(round_), *behavior_ids]).encode("utf-8")
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") % (2**31 - 1)


_REGISTRY: dict[str, type[Attack]] = {}


def register(cls: type[Attack]) -> type[Attack]:
    _REGISTRY[cls.name] = cls
    return cls


def attack_classes() -> dict[str, type[Attack]]:
    _load_builtin()
    return dict(sorted(_REGISTRY.items()))


def get_attack(name: str, hyperparameters: dict[str, Any] | None = None) -> Attack:
    """An attack by upstream class name, built from an experiment's merged hyperparameters."""
    classes = attack_classes()
    if name not in classes:
        close = difflib.get_close_matches(name, classes, n=2)
        raise ConfigError(f"no attack method {name!r} in this harmbench",
                          hint=(f"did you mean {' or '.join(map(repr, close))}? " if close else "")
                          + f"available: {', '.join(classes)}")
    return classes[name](**(hyperparameters or {}))


def _load_builtin() -> None:
    """Import every module of `harmbench.attacks` (not its subpackages): importing registers the class."""
    import importlib
    import pkgutil

    import harmbench.attacks as package

    for info in pkgutil.iter_modules(package.__path__):
        if not info.ispkg and info.name != "base":
            importlib.import_module(f"harmbench.attacks.{info.name}")
