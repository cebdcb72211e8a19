"""`LLMSearchAttack`: what PAIR and TAP share (spec §4.10-4.11).

Both run an attacker LLM against a black-box target, scored by a judge LLM. This base loads the
three models (`attack_model`, `judge_model`, `target_model`: models.yaml names or upstream's
loader dicts, see `llm.models`), validates the shared hyperparameters, and runs the behaviors of a
job **in lockstep**: `behaviors_per_call` behaviors at a time advance one step together, so each
step makes one attacker call, one target call and one judge call for all their streams (API
backends send them concurrently, local ones batch them). A behavior's result is yielded as soon as
it stops (a top score) or runs out of steps; every call is charged to the behavior it serves.

Choices of ours: the target sees the context of a contextual behavior during the search, as the
final test case does (upstream's PAIR leaves it out, quirk §11.9), and the attacker's stop string
`}` is not passed to the target (quirk §11.9). Attacker sampling is seeded per (run seed, behaviors
of the call, step), so a rerun of the same behaviors repeats itself on the same backend.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from harmbench.attacks.base import (
    NEEDS_ATTACKER,
    NEEDS_JUDGE,
    NEEDS_TARGET,
    Attack,
    AttackContext,
    BehaviorResult,
    Cost,
    positive_int,
)
from harmbench.attacks.llm import prompts
from harmbench.attacks.llm.chat import Conversation
from harmbench.attacks.llm.models import load_models
from harmbench.attacks.optim.base import custom_targets, target_for
from harmbench.behaviors import Behavior
from harmbench.behaviors.record import compose_prompt
from harmbench.errors import ConfigError
from harmbench.models.base import GenerationConfig, GenerationRequest


@dataclass
class Search:
    """One behavior's search: its conversations, the best prompt so far, logs and cost."""

    behavior: Behavior
    target_str: str
    conversations: list[Conversation] = field(default_factory=list)
    best_prompt: str = ""
    best_score: float = float("-inf")
    done: bool = False
    logs: Any = None
    cost: Cost = field(default_factory=Cost)

    @property
    def goal(self) -> str:
        return self.behavior.behavior

    @property
    def context(self) -> str | None:
        return self.behavior.context_string if self.behavior.is_contextual else None

    def new_conversation(self) -> Conversation:
        conv = Conversation(prompts.attacker_system(self.goal, self.target_str, self.context))
        conv.ask(prompts.first_message(self.goal, self.target_str, self.context))
        return conv

    def consider(self, prompt: str, score: int) -> None:
        """Keep `prompt` if it beats the best so far (strictly, as upstream)."""
        if score > self.best_score:
            self.best_prompt, self.best_score = prompt, score

    def target_prompt(self, prompt: str) -> str:
        """What the target sees: the prompt after the context (standard separator), if any."""
        return compose_prompt(prompt, self.behavior.context_string if self.context else "")

    def result(self) -> BehaviorResult:
        best = self.best_prompt or self.goal  # upstream starts from the raw behavior
        return BehaviorResult(self.behavior.behavior_id, [self.target_prompt(best)], self.logs, self.cost)


class LLMSearchAttack(Attack):
    needs = frozenset({NEEDS_ATTACKER, NEEDS_JUDGE, NEEDS_TARGET})

    def __init__(self, attack_model: Any = None, judge_model: Any = None, target_model: Any = None,
                 targets_path: str | None = None, max_retries: int = 5, attack_max_n_tokens: int = 500,
                 target_max_n_tokens: int = 150, judge_max_n_tokens: int = 10, keep_last_n: int = 3,
                 attack_temp: float = 1.0, cutoff_score: int = 10, behaviors_per_call: int = 16,
                 num_test_cases_per_behavior: int = 1, **hyperparameters: Any):
        super().__init__(attack_model=attack_model, judge_model=judge_model, target_model=target_model,
                         targets_path=targets_path, max_retries=max_retries,
                         attack_max_n_tokens=attack_max_n_tokens, target_max_n_tokens=target_max_n_tokens,
                         judge_max_n_tokens=judge_max_n_tokens, keep_last_n=keep_last_n, attack_temp=attack_temp,
                         cutoff_score=cutoff_score, behaviors_per_call=behaviors_per_call,
                         num_test_cases_per_behavior=num_test_cases_per_behavior, **hyperparameters)
        name = self.name
        self.attack_model, self.judge_model, self.target_model = attack_model, judge_model, target_model
        self.targets_path = targets_path
        self.max_retries = positive_int(name, "max_retries", max_retries)
        self.attack_max_n_tokens = positive_int(name, "attack_max_n_tokens", attack_max_n_tokens)
        self.target_max_n_tokens = positive_int(name, "target_max_n_tokens", target_max_n_tokens)
        self.judge_max_n_tokens = positive_int(name, "judge_max_n_tokens", judge_max_n_tokens)
        self.behaviors_per_call = positive_int(name, "behaviors_per_call", behaviors_per_call)
        if isinstance(keep_last_n, bool) or not isinstance(keep_last_n, int) or keep_last_n < 0:
            raise ConfigError(f"{name}: keep_last_n must be a non-negative integer, not {keep_last_n!r}")
        self.keep_last_n = keep_last_n
        if isinstance(attack_temp, bool) or not isinstance(attack_temp, (int, float)) or attack_temp < 0:
            raise ConfigError(f"{name}: attack_temp must be a number >= 0, not {attack_temp!r}")
        self.attack_temp = float(attack_temp)
        if isinstance(cutoff_score, bool) or not isinstance(cutoff_score, (int, float)):
            raise ConfigError(f"{name}: cutoff_score must be a number on the judge's 1-10 scale, not {cutoff_score!r}")
        self.cutoff_score = cutoff_score
        if num_test_cases_per_behavior != 1:
            raise ConfigError(f"{name} makes one test case per behavior (num_test_cases_per_behavior: 1), "
                              f"not {num_test_cases_per_behavior!r}")

    def expected_test_cases(self) -> int | None:
        return 1

    # -- subclass interface

    def search(self, searches: list[Search], models: dict[str, Any], run_seed: int) -> Iterator[Search]:
        """Advance the searches in lockstep; yield each one as it finishes."""
        raise NotImplementedError

    # -- shared steps

    def attacker_config(self, seed: int) -> GenerationConfig:
        return GenerationConfig(max_new_tokens=self.attack_max_n_tokens, temperature=self.attack_temp, seed=seed)

    def query_target(self, target: Any, items: Sequence[tuple[Search, str]]) -> list[str]:
        """The target's greedy responses to (search, prompt) pairs, in one call."""
        if not items:
            return []
        requests = [GenerationRequest.user(s.target_prompt(p)) for s, p in items]
        outputs = target.generate(requests, GenerationConfig(max_new_tokens=self.target_max_n_tokens))
        for (search, _), out in zip(items, outputs):
            search.cost.charge(out)
        return [out.text for out in outputs]

    def generate(self, behaviors: Sequence[Behavior], context: AttackContext) -> Iterator[BehaviorResult]:
        if not behaviors:
            return
        # The target first: an API target without its key fails at once, before a large attacker loads.
        models = load_models(context, {"target_model": self.target_model, "attack_model": self.attack_model,
                                       "judge_model": self.judge_model}, self.name)
        custom = custom_targets(self.targets_path, context.data_dir)
        done = 0
        for start in range(0, len(behaviors), self.behaviors_per_call):
            chunk = behaviors[start:start + self.behaviors_per_call]
            searches = [Search(b, target_for(self.name, b, custom, self.targets_path)) for b in chunk]
            started = time.perf_counter()
            for search in self.search(searches, models, context.seed):
                # The behaviors of a chunk share every call, so each is charged an equal share of the
                # chunk's time until it finished.
                search.cost.wall_s = (time.perf_counter() - started) / len(chunk)
                done += 1
                if context.progress is not None:
                    context.progress(f"{self.name}: {done}/{len(behaviors)} behaviors")
                yield search.result()
