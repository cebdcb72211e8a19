"""Red-teaming methods, registered under upstream's class names (`DirectRequest`, `GCG`, ...).

`get_attack(name, hyperparameters)` builds one from an experiment's merged hyperparameters;
`attack_classes()` lists them. Each method lives in its own module and yields one
`BehaviorResult` per behavior (see `harmbench.attacks.base`).
"""

from harmbench.attacks.base import (
    NEEDS_ATTACKER,
    NEEDS_JUDGE,
    NEEDS_MULTIMODAL,
    NEEDS_TARGET,
    NEEDS_WHITEBOX,
    Attack,
    AttackContext,
    BehaviorResult,
    Cost,
    attack_classes,
    get_attack,
    register,
)

__all__ = [
    "NEEDS_ATTACKER",
    "NEEDS_JUDGE",
    "NEEDS_MULTIMODAL",
    "NEEDS_TARGET",
    "NEEDS_WHITEBOX",
    "Attack",
    "AttackContext",
    "BehaviorResult",
    "Cost",
    "attack_classes",
    "get_attack",
    "register",
]
