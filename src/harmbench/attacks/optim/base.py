"""`OptimizerAttack`: what every white-box token optimiser shares around its inner loop.

A subclass implements `optimize(problem, num_generate)`, returning `num_generate` (test case,
log) pairs for one behavior; this class loads the target (`target_model`, a models.yaml entry
or loader dict as upstream's experiments give it), finds each behavior's optimizer target, splits
`num_test_cases_per_behavior` into calls of at most `test_cases_batch_size` (upstream's
SingleBehavior loop), seeds each call, and charges wall time and forward/backward passes.

Seeds: call k of behavior b uses `stable_seed(run seed, b, k)`, so a behavior's test cases do not
depend on which other behaviors share the job, and a resumed run reproduces them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import torch

from harmbench.attacks.base import NEEDS_WHITEBOX, Attack, AttackContext, BehaviorResult, Cost, stable_seed
from harmbench.attacks.base import positive_float, positive_int  # noqa: F401 (also imported from here)
from harmbench.behaviors import Behavior
from harmbench.errors import ConfigError

# Upstream's default `targets_path`; the loaded datasets carry exactly these targets already.
DEFAULT_TARGETS = "data/optimizer_targets/harmbench_targets_text.json"


@dataclass
class Problem:
    """One behavior to optimise against: the target model, its white-box view and the strings."""

    target: Any  # HFTarget (for refusal checks)
    wb: Any  # WhiteBox
    behavior: Behavior
    user_text: str  # behavior with upstream's trailing space, context-prefixed
    target_text: str  # the reply to elicit ("Sure, here is ...")
    generator: torch.Generator  # seeded CPU generator for every random draw


@dataclass
class OptimizerRun:
    """Per-step record of one optimisation. Kept off the hot path: a float and a small CPU id
    tensor per step; strings are decoded once, when the logs are built."""

    losses: list[float] = field(default_factory=list)
    ids: list[torch.Tensor] = field(default_factory=list)
    step_wall_s: list[float] = field(default_factory=list)
    _last: float = field(default_factory=time.perf_counter)

    def record(self, loss: float, test_case_ids: torch.Tensor) -> None:
        now = time.perf_counter()
        self.losses.append(float(loss))
        self.ids.append(test_case_ids.detach().reshape(-1).cpu())
        self.step_wall_s.append(round(now - self._last, 4))
        self._last = now

    def logs(self, decode, final_key: str = "final_loss") -> dict[str, Any]:
        return {final_key: self.losses[-1] if self.losses else None, "all_losses": self.losses,
                "all_test_cases": [decode(i) for i in self.ids], "step_wall_s": self.step_wall_s}


class OptimizerAttack(Attack):
    """Base of GCG, AutoPrompt, UAT, PEZ and GBDA (EnsembleGCG shares the toolkit, not this loop)."""

    needs = frozenset({NEEDS_WHITEBOX})

    def __init__(self, target_model: Any = None, num_test_cases_per_behavior: int = 1,
                 test_cases_batch_size: int = 1, targets_path: str | None = None, use_prefix_cache: bool = True,
                 **hyperparameters: Any):
        super().__init__(target_model=target_model, num_test_cases_per_behavior=num_test_cases_per_behavior,
                         test_cases_batch_size=test_cases_batch_size, targets_path=targets_path,
                         use_prefix_cache=use_prefix_cache, **hyperparameters)
        if target_model is None:
            raise ConfigError(f"{self.name} needs a target_model",
                              hint="run it through an experiment named after a model (e.g. --methods "
                                   f"{self.name} --models toy), or set target_model: to a models.yaml entry")
        self.target_model = target_model
        self.num_test_cases_per_behavior = positive_int(self.name, "num_test_cases_per_behavior",
                                                        num_test_cases_per_behavior)
        self.test_cases_batch_size = positive_int(self.name, "test_cases_batch_size", test_cases_batch_size)
        self.targets_path = targets_path
        self.use_prefix_cache = bool(use_prefix_cache)

    # -- subclass interface

    def optimize(self, problem: Problem, num_generate: int) -> list[tuple[str, dict[str, Any]]]:
        raise NotImplementedError

    # -- shared loop

    def generate(self, behaviors: Sequence[Behavior], context: AttackContext) -> Iterator[BehaviorResult]:
        if not behaviors:
            return
        custom = custom_targets(self.targets_path, context.data_dir)
        target = context.load_model(self.target_model)
        wb = whitebox_of(target, self.name, hint="use an open-weight model with the hf backend")
        for behavior in behaviors:
            target_text = target_for(self.name, behavior, custom, self.targets_path)
            start = time.perf_counter()
            forward, backward = wb.sequences_forward, wb.sequences_backward
            cases: list[str | list[str]] = []
            logs: list[Any] = []
            remaining, call = self.num_test_cases_per_behavior, 0
            while remaining > 0:
                n = min(self.test_cases_batch_size, remaining)
                problem = Problem(target, wb, behavior, behavior.prompt(optimizer=True), target_text,
                                  seeded_generator(context.seed, behavior.behavior_id, call))
                for case, log in self.optimize(problem, n):
                    cases.append(case)
                    logs.append(log)
                remaining -= n
                call += 1
            cost = Cost(wall_s=time.perf_counter() - start, forward_passes=wb.sequences_forward - forward,
                        backward_passes=wb.sequences_backward - backward)
            yield BehaviorResult(behavior.behavior_id, cases, logs, cost)


def custom_targets(targets_path: str | None, data_dir: Any) -> dict[str, tuple[str, ...]] | None:
    """Targets from `targets_path` unless it is upstream's default (which the datasets carry)."""
    if not targets_path or PurePosixPath(str(targets_path)).as_posix().endswith(DEFAULT_TARGETS):
        return None
    from harmbench.behaviors.loaders import read_targets_json
    from harmbench.behaviors.official import resolve_data_dir

    path = str(targets_path)
    for prefix in ("./data/", "data/"):  # upstream's paths are relative to its repository
        if path.startswith(prefix):
            return read_targets_json(resolve_data_dir(data_dir) / path[len(prefix):])
    return read_targets_json(path)


def target_for(method: str, behavior: Behavior, custom: dict[str, tuple[str, ...]] | None,
               targets_path: str | None) -> str:
    """The optimizer target of `behavior`: from the custom targets file if any, else its own."""
    if custom is not None:
        if behavior.behavior_id not in custom:
            raise ConfigError(f"{method}: behavior {behavior.behavior_id!r} has no target in {targets_path}",
                              hint="add it to that targets file, or drop targets_path to use the dataset's targets")
        return custom[behavior.behavior_id][0]
    if not behavior.target:
        raise ConfigError(f"{method}: behavior {behavior.behavior_id!r} has no optimizer target",
                          hint="load behaviors with their targets JSON (named datasets do), or set targets_path")
    return behavior.target


def whitebox_of(target: Any, method: str, hint: str):
    """The target's `WhiteBox`, or a clear error when it is not a local transformers model."""
    if not hasattr(target, "whitebox"):
        raise ConfigError(f"{method} needs white-box access to its target, and "
                          f"{getattr(target, 'name', target)!r} is not a local transformers model", hint=hint)
    return target.whitebox()


def seeded_generator(run_seed: int, behavior_id: str, call: int) -> torch.Generator:
    return torch.Generator().manual_seed(stable_seed(run_seed, [behavior_id], call, 0))


def suffix_ids(wb, init: str, method: str) -> torch.Tensor:
    """The initial adversarial string's ids [1, n]."""
    ids = wb.encode(init)
    if ids.shape[1] == 0:
        raise ConfigError(f"{method}: adv_string_init {init!r} has no tokens")
    return ids
