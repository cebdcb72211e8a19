"""PAIR: Prompt Automatic Iterative Refinement (Chao et al. 2023; spec §4.10).

For each behavior, `n_streams` attacker conversations each propose a prompt per step; the target
answers each (greedy, `target_max_n_tokens`), the judge rates each answer 1-10, and the attacker
sees the answer, the objective and the score before its next try. The search stops at the first
score >= `cutoff_score` or after `steps` steps. The test case is the best-rated prompt (strictly
greater replaces; the raw behavior if nothing was rated), context-prefixed for contextual
behaviors. Streams whose attacker output cannot be read after `max_retries` tries are dropped.

Logs: one list per stream of `{adv_prompt, improv, completion, score}` per step, as upstream.
Shared machinery (models, lockstep batching across behaviors, prompts, parsing, judge) lives in
`harmbench.attacks.llm`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harmbench.attacks.base import positive_int, register, stable_seed
from harmbench.attacks.llm import prompts
from harmbench.attacks.llm.chat import propose
from harmbench.attacks.llm.judge import rate
from harmbench.attacks.llm.search import LLMSearchAttack, Search


@register
class PAIR(LLMSearchAttack):
    name = "PAIR"
    cost_per_behavior = ("up to n_streams x steps attacker calls (<= attack_max_n_tokens each), as many target "
                         "calls and judge calls; upstream: 20 x 3 = 60 of each")

    def __init__(self, n_streams: int = 5, steps: int = 5, **hyperparameters: Any):
        super().__init__(n_streams=n_streams, steps=steps, **hyperparameters)
        self.n_streams = positive_int(self.name, "n_streams", n_streams)
        self.steps = positive_int(self.name, "steps", steps)

    def search(self, searches: list[Search], models: dict[str, Any], run_seed: int) -> Iterator[Search]:
        attacker, judge, target = models["attack_model"], models["judge_model"], models["target_model"]
        for s in searches:
            s.conversations = [s.new_conversation() for _ in range(self.n_streams)]
            s.logs = [c.log for c in s.conversations]  # dropped streams keep their log here
        ids = [s.behavior.behavior_id for s in searches]
        for step in range(self.steps):
            active = [s for s in searches if not s.done]
            if not active:
                return
            owners = [(s, k) for s in active for k in range(len(s.conversations))]
            attacks = propose(attacker, [s.conversations[k] for s, k in owners],
                              self.attacker_config(stable_seed(run_seed, ids, self.n_streams, step)),
                              first_turn=step == 0, max_retries=self.max_retries, cost=[s.cost for s, _ in owners])
            live = [(s, k, a) for (s, k), a in zip(owners, attacks) if a is not None]
            responses = self.query_target(target, [(s, a.prompt) for s, _, a in live])
            scores = rate(judge, [s.goal for s, _, _ in live], [a.prompt for _, _, a in live], responses,
                          max_new_tokens=self.judge_max_n_tokens, cost=[s.cost for s, _, _ in live])
            for (s, k, a), response, score in zip(live, responses, scores):
                s.conversations[k].log.append({"adv_prompt": a.prompt, "improv": a.improvement,
                                               "completion": response, "score": score})
                s.consider(a.prompt, score)
                s.conversations[k].ask(prompts.feedback(response, s.goal, score))
                s.conversations[k].truncate(self.keep_last_n)
            kept = {(id(s), k) for s, k, _ in live}
            for s in active:
                # Upstream drops the streams whose attacker output could not be read.
                s.conversations = [c for k, c in enumerate(s.conversations) if (id(s), k) in kept]
                if s.best_score >= self.cutoff_score or not s.conversations or step == self.steps - 1:
                    s.done = True
                    yield s
