"""Where the work runs. `LocalExecutor` runs it in this process; `RayExecutor` (pipeline/ray_executor.py)
spreads it over a Ray cluster. Either way results come back to the caller, which alone writes the
store."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from harmbench.attacks import Attack, AttackContext, BehaviorResult
from harmbench.behaviors import Behavior
from harmbench.models import Generation, GenerationConfig, GenerationRequest


class Executor(Protocol):
    def run_attack(self, attack: Attack, job, behaviors: Sequence[Behavior],
                   context: AttackContext) -> Iterator[BehaviorResult]:
        """Each behavior's result as soon as it is finished."""
        ...

    def run_completions(self, model: str, batches: Sequence[list[GenerationRequest]], config: GenerationConfig,
                        load_model: Callable[[str], object]) -> Iterator[tuple[int, list[Generation], float]]:
        """(batch index, generations, wall seconds) for each batch as soon as it is finished."""
        ...

    def close(self) -> None:
        ...


class LocalExecutor:
    def run_attack(self, attack, job, behaviors, context):
        yield from attack.generate(behaviors, context)

    def run_completions(self, model, batches, config, load_model):
        target = load_model(model)
        for index, batch in enumerate(batches):
            start = time.perf_counter()
            generations = target.generate(batch, config)
            yield index, generations, time.perf_counter() - start

    def close(self) -> None:
        pass
