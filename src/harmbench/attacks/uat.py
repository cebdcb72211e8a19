"""UAT: universal adversarial triggers found by HotFlip (Wallace et al. 2019; spec §4.5).

HotFlip ranks replacements for a trigger token by a first-order estimate of the loss change:
the dot product of d loss / d (embedding output) at that position with every vocabulary
embedding. That product is exactly d loss / d one-hot(token), so `token_gradient` supplies the
scores directly (no backward hook on the embedding layer, as upstream uses, is needed).

Each step sweeps positions 0..L-1. At each position, as upstream's HarmBench code does, the
gradient is taken at the current trigger (so a swap accepted at one position informs the next),
the `num_candidates` tokens with the most negative score there each replace that position's
token, and the candidates are scored in one batch.
The best is accepted only if it beats the best loss so far, which resets a no-improvement
counter; otherwise the counter grows, and when it reaches the trigger length L (a whole sweep's
worth of failed positions) the search ends. As upstream, no token is excluded (non-ASCII and
special tokens may be chosen) and candidates are not filtered by re-tokenisation.

The test case is the plain decode of behavior ids + trigger ids at the end of the last step run.
Logs per test case: `best_loss`, `all_losses` and `all_test_cases` (one per step, the stopping
step included), `step_wall_s`. `eval_steps` only paces debug-level progress lines.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import torch

from harmbench.attacks.base import register
from harmbench.attacks.optim import token_gradient, top_k_tokens
from harmbench.attacks.optim.base import (
    OptimizerAttack,
    OptimizerRun,
    Problem,
    positive_int,
    suffix_ids,
)

log = logging.getLogger(__name__)
ADV_STRING_INIT = " ".join(["!"] * 20)


Proposer = Callable[[torch.Tensor, int], torch.Tensor]


def hotflip_sweep(ids: torch.Tensor, top: torch.Tensor | Proposer, best_loss: float, counter: int,
                  score: Callable[[torch.Tensor], torch.Tensor]) -> tuple[torch.Tensor, float, int, bool]:
    """One sweep over the positions of `ids` [L], each trying its candidate tokens — `top` [L, k],
    or `top(ids, position)` -> [k] for fresh ones — scored by `score` ([k, L] -> [k] losses).
    -> (trigger, best loss, counter, stop)."""
    for position in range(ids.shape[0]):
        tokens = top(ids, position) if callable(top) else top[position]
        candidates = ids.repeat(tokens.shape[0], 1)
        candidates[:, position] = tokens.to(ids.device)
        losses = score(candidates)
        best = int(losses.argmin())
        if float(losses[best]) < best_loss:
            ids, best_loss, counter = candidates[best], float(losses[best]), 0
        else:
            counter += 1
            if counter >= ids.shape[0]:
                return ids, best_loss, counter, True
    return ids, best_loss, counter, False


@register
class UAT(OptimizerAttack):
    name = "UAT"
    cost_per_behavior = "num_steps x trigger length x (1 gradient + num_candidates candidate forward passes)"

    def __init__(self, num_steps: int = 50, adv_string_init: str = ADV_STRING_INIT, num_candidates: int = 3,
                 eval_steps: int = 2, **hyperparameters: Any):
        super().__init__(num_steps=num_steps, adv_string_init=adv_string_init, num_candidates=num_candidates,
                         eval_steps=eval_steps, **hyperparameters)
        self.num_steps = positive_int(self.name, "num_steps", num_steps)
        self.num_candidates = positive_int(self.name, "num_candidates", num_candidates)
        self.eval_steps = positive_int(self.name, "eval_steps", eval_steps)
        self.adv_string_init = str(adv_string_init)

    def optimize(self, problem: Problem, num_generate: int) -> list[tuple[str, dict[str, Any]]]:
        case, logs = self._optimize_one(problem)  # no randomness: every copy would come out the same
        return [(case, dict(logs)) for _ in range(num_generate)]

    def _optimize_one(self, problem: Problem) -> tuple[str, dict[str, Any]]:
        wb, decode = problem.wb, problem.wb.tokenizer.decode
        slot = wb.split(problem.user_text, problem.target_text)
        if self.use_prefix_cache:
            wb.cache_prefix(slot)
        ids = suffix_ids(wb, self.adv_string_init, self.name)[0]

        def score(candidates: torch.Tensor) -> torch.Tensor:
            return wb.target_loss(candidates, slot, self.use_prefix_cache)

        def propose(current: torch.Tensor, position: int) -> torch.Tensor:
            grad = token_gradient(wb, current, slot, self.use_prefix_cache)
            return top_k_tokens(grad[position:position + 1], None, self.num_candidates)[0]

        best_loss, counter, run = float(score(ids.unsqueeze(0))[0]), 0, OptimizerRun()
        for step in range(self.num_steps):
            ids, best_loss, counter, stop = hotflip_sweep(ids, propose, best_loss, counter, score)
            run.record(best_loss, torch.cat([slot.behavior_ids[0], ids]))
            if step % self.eval_steps == 0:
                log.debug("UAT step %d: loss %.3f, %r", step, best_loss, decode(run.ids[-1]))
            if stop:
                break
        return decode(run.ids[-1]), run.logs(decode, final_key="best_loss")
