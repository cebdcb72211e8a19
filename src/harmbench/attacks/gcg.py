"""GCG (Zou et al. 2023) and AutoPrompt (Shin et al. 2020): greedy coordinate search over a suffix (spec §4.2, §4.4).

Each step: the one-hot token gradient of the target loss -> `search_width` candidates, each
changing one position to one of that position's top-256 tokens -> drop candidates that change
under re-tokenisation -> score all -> take the best candidate (even if worse than the current
suffix, as upstream). GCG sweeps the positions evenly over the candidates; AutoPrompt draws one
random position per step for all of them.

Early stopping as upstream: every `eval_steps` steps (and at the last), if `eval_with_check_refusal`
and the loss is below `check_refusal_min_loss`, the target answers the test case (32 greedy tokens)
and the search stops if that is not a refusal; with `early_stopping`, it stops once the loss is
below `early_stopping_min_loss`. The test case is the last step's (not the lowest-loss one).
Logs per test case: `final_loss`, `all_losses`, `all_test_cases`, `step_wall_s`.
"""

from __future__ import annotations

from typing import Any

import torch

from harmbench.attacks.base import register
from harmbench.attacks.optim import (
    candidate_losses,
    check_refusal,
    disallowed_token_ids,
    sample_one_position,
    sample_sweep,
    token_gradient,
    top_k_tokens,
)
from harmbench.attacks.optim.base import OptimizerAttack, OptimizerRun, Problem, positive_int, suffix_ids

ADV_STRING_INIT = " ".join(["!"] * 20)


@register
class GCG(OptimizerAttack):
    name = "GCG"
    cost_per_behavior = "num_steps x (1 gradient + search_width candidate forward passes)"

    def __init__(self, num_steps: int = 50, adv_string_init: str = ADV_STRING_INIT, allow_non_ascii: bool = False,
                 search_width: int = 512, eval_steps: int = 10, early_stopping: bool = False,
                 early_stopping_min_loss: float = 0.1, eval_with_check_refusal: bool = False,
                 check_refusal_min_loss: float = 0.1, starting_search_batch_size: int | None = None,
                 **hyperparameters: Any):
        super().__init__(num_steps=num_steps, adv_string_init=adv_string_init, allow_non_ascii=allow_non_ascii,
                         search_width=search_width, eval_steps=eval_steps, early_stopping=early_stopping,
                         early_stopping_min_loss=early_stopping_min_loss,
                         eval_with_check_refusal=eval_with_check_refusal,
                         check_refusal_min_loss=check_refusal_min_loss,
                         starting_search_batch_size=starting_search_batch_size, **hyperparameters)
        self.num_steps = positive_int(self.name, "num_steps", num_steps)
        self.search_width = positive_int(self.name, "search_width", search_width)
        self.eval_steps = positive_int(self.name, "eval_steps", eval_steps)
        self.adv_string_init = str(adv_string_init)
        self.allow_non_ascii = bool(allow_non_ascii)
        self.early_stopping = bool(early_stopping)
        self.early_stopping_min_loss = float(early_stopping_min_loss)
        self.eval_with_check_refusal = bool(eval_with_check_refusal)
        self.check_refusal_min_loss = float(check_refusal_min_loss)
        self.batch_size = (positive_int(self.name, "starting_search_batch_size", starting_search_batch_size)
                           if starting_search_batch_size is not None else None)

    def sample(self, ids: torch.Tensor, top: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        return sample_sweep(ids, top, self.search_width, generator)

    def optimize(self, problem: Problem, num_generate: int) -> list[tuple[str, dict[str, Any]]]:
        return [self._optimize_one(problem) for _ in range(num_generate)]

    def _optimize_one(self, problem: Problem) -> tuple[str, dict[str, Any]]:
        wb, tokenizer = problem.wb, problem.wb.tokenizer
        slot = wb.split(problem.user_text, problem.target_text)
        if self.use_prefix_cache:
            wb.cache_prefix(slot)
        disallowed = disallowed_token_ids(tokenizer, self.allow_non_ascii)
        ids = suffix_ids(wb, self.adv_string_init, self.name)[0]
        run = OptimizerRun()
        for step in range(self.num_steps):
            grad = token_gradient(wb, ids, slot, self.use_prefix_cache)
            candidates = self.sample(ids, top_k_tokens(grad, disallowed), problem.generator)
            with torch.no_grad():
                kept, losses = candidate_losses(wb, candidates, slot, use_prefix_cache=self.use_prefix_cache,
                                                batch_size=self.batch_size, current=ids)
            best = int(losses[0].argmin())
            ids, loss = kept[best], float(losses[0, best])
            run.record(loss, torch.cat([slot.behavior_ids[0], ids]))
            if self._should_stop(step, loss, problem, run):
                break
        test_case = tokenizer.decode(run.ids[-1])
        return test_case, run.logs(tokenizer.decode)

    def _should_stop(self, step: int, loss: float, problem: Problem, run: OptimizerRun) -> bool:
        if (step % self.eval_steps == 0 or step == self.num_steps - 1) and self.eval_with_check_refusal \
                and loss < self.check_refusal_min_loss:
            test_case = problem.wb.tokenizer.decode(run.ids[-1])
            if not check_refusal(problem.target, [test_case])[0]:
                return True
        return self.early_stopping and loss < self.early_stopping_min_loss


@register
class AutoPrompt(GCG):
    name = "AutoPrompt"

    def sample(self, ids: torch.Tensor, top: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        return sample_one_position(ids, top, self.search_width, generator)
