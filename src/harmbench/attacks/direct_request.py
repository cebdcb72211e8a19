"""DirectRequest: the behavior itself, unchanged, as the only test case (spec §4.15).

Contextual behaviors get their context prefixed with upstream's separator (`Behavior.prompt()`,
spec §2.3). No model is loaded; upstream's config has only a placeholder hyperparameter.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

from harmbench.attacks.base import Attack, AttackContext, BehaviorResult, Cost, register
from harmbench.behaviors import Behavior


@register
class DirectRequest(Attack):
    """One test case per behavior: the (context-prefixed) behavior string. Logs: None."""

    name = "DirectRequest"
    needs = frozenset()
    cost_per_behavior = "none (no model)"

    def generate(self, behaviors: Sequence[Behavior], context: AttackContext) -> Iterator[BehaviorResult]:
        for behavior in behaviors:
            start = time.perf_counter()
            test_case = behavior.prompt()
            yield BehaviorResult(behavior.behavior_id, [test_case], None, Cost(wall_s=time.perf_counter() - start))
