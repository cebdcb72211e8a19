"""EnsembleGCG, the class behind GCG-Multi and GCG-Transfer (spec §4.3): one universal suffix,
optimised by GCG jointly over the job's behaviors and over one or more target models.

`target_models` lists the models optimised against ({target_model: models.yaml name or loader
dict, num_gpus}); they need not be the models the test cases are later run on (GCG-Transfer's
suffix, found on Llama-2 and Vicuna, is evaluated on every model, API models included). With
`use_ray`, each lives in its own Ray actor asking for its `num_gpus`, as upstream; otherwise all
are loaded here through the run's model loader. All tokenizers must be of one type; the first
one encodes the initial suffix, masks disallowed tokens, filters candidates and decodes.

Each step: every model's one-hot gradient, averaged over the included behaviors with each
position's row L2-normalised -> truncated to the smallest vocabulary and averaged over models ->
top-256 per position, an even sweep of `search_width` one-token changes (GCG's) -> candidates that
change under re-tokenisation dropped (all kept if none survives; upstream would crash) -> each
model's (behaviors x candidates) losses -> mean over behaviors, then over models -> argmin,
taken even if worse. With `progressive_behaviors` the search starts on the first behavior alone
and adds the next one after a step where every included behavior's loss at the chosen candidate
is below `add_behavior_loss` (0.2), or `add_behavior_steps` (100) steps after the last addition.

The pipeline runs the job `len(run_ids)` times (5 for GCG-Multi/Transfer), each seeded from the
run id, and run r's test case for each behavior (its prompt, with the trailing space and context,
plus the final decoded suffix) is stored at index r, so an interrupted job resumes at the first
unfinished run. Each behavior's log for a run: `run_id`, `final_loss`, `all_losses`,
`num_behaviors` (included at the end), `suffix`, `step_wall_s`; unlike upstream there are no
per-step test cases for every behavior (steps x behaviors strings per run: too big). A run's
wall time and forward/backward passes are split evenly over the job's behaviors.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any

import torch

from harmbench.attacks.base import NEEDS_WHITEBOX, Attack, AttackContext, BehaviorResult, Cost, register, stable_seed
from harmbench.attacks.optim import disallowed_token_ids, retokenization_mask, sample_sweep, top_k_tokens
from harmbench.attacks.optim.base import OptimizerRun, custom_targets, positive_int, target_for
from harmbench.attacks.optim.workers import LocalPool, RayPool
from harmbench.behaviors import Behavior
from harmbench.errors import ConfigError

log = logging.getLogger(__name__)
ADV_STRING_INIT = " ".join(["!"] * 20)


@register
class EnsembleGCG(Attack):
    name = "EnsembleGCG"
    # White-box on its `target_models`; with a fixed experiment (GCG-Transfer) those are not the
    # job's models, and the planner lets the suffix transfer to any model.
    needs = frozenset({NEEDS_WHITEBOX})
    cost_per_behavior = ("per run, shared by all behaviors: num_steps x target models x included behaviors x "
                         "(1 gradient + search_width candidate forward passes)")

    def __init__(self, target_models: Any = None, num_steps: int = 50, adv_string_init: str = ADV_STRING_INIT,
                 allow_non_ascii: bool = False, search_width: int = 512, eval_steps: int = 10,
                 use_prefix_cache: bool = True, progressive_behaviors: bool = True, targets_path: str | None = None,
                 use_ray: bool = False, add_behavior_loss: float = 0.2, add_behavior_steps: int = 100,
                 **hyperparameters: Any):
        super().__init__(target_models=target_models, num_steps=num_steps, adv_string_init=adv_string_init,
                         allow_non_ascii=allow_non_ascii, search_width=search_width, eval_steps=eval_steps,
                         use_prefix_cache=use_prefix_cache, progressive_behaviors=progressive_behaviors,
                         targets_path=targets_path, use_ray=use_ray, add_behavior_loss=add_behavior_loss,
                         add_behavior_steps=add_behavior_steps, **hyperparameters)
        self.target_models = _target_models(target_models)
        self.num_steps = positive_int(self.name, "num_steps", num_steps)
        self.search_width = positive_int(self.name, "search_width", search_width)
        self.eval_steps = positive_int(self.name, "eval_steps", eval_steps)
        self.add_behavior_steps = positive_int(self.name, "add_behavior_steps", add_behavior_steps)
        self.add_behavior_loss = float(add_behavior_loss)
        self.adv_string_init = str(adv_string_init)
        self.allow_non_ascii = bool(allow_non_ascii)
        self.use_prefix_cache = bool(use_prefix_cache)
        self.progressive_behaviors = bool(progressive_behaviors)
        self.targets_path = targets_path
        self.use_ray = bool(use_ray)

    def expected_test_cases(self) -> int:
        return len(self.run_ids)

    def generate(self, behaviors: Sequence[Behavior], context: AttackContext) -> Iterator[BehaviorResult]:
        if not behaviors:
            return
        custom = custom_targets(self.targets_path, context.data_dir)
        targets = [target_for(self.name, b, custom, self.targets_path) for b in behaviors]
        prompts = [b.prompt(optimizer=True) for b in behaviors]
        start = min(context.stored_counts.get(b.behavior_id, 0) for b in behaviors)
        if start >= len(self.run_ids):
            return
        pool = (RayPool if self.use_ray else LocalPool)(self.target_models, context.load_model, self.use_prefix_cache)
        try:
            tokenizers = pool.call("tokenizer")
            if len({type(t) for t in tokenizers}) > 1:
                raise ConfigError(f"{self.name}: the target models' tokenizers are of different types "
                                  f"({', '.join(sorted({type(t).__name__ for t in tokenizers}))})",
                                  hint="one suffix of token ids is shared by all target models: use models "
                                       "with the same tokenizer")
            tokenizer = tokenizers[0]
            pool.call("set_behaviors", prompts, targets)
            for r in range(start, len(self.run_ids)):
                run_id = str(self.run_ids[r])
                began, passes = time.perf_counter(), _total(pool.call("passes"))
                generator = torch.Generator().manual_seed(stable_seed(context.seed, [self.name, run_id], 0, 0))
                ids, run, included = self._optimize(pool, tokenizer, len(behaviors), generator, context, r)
                suffix = tokenizer.decode(ids)
                forward, backward = (now - before for now, before in zip(_total(pool.call("passes")), passes))
                wall = time.perf_counter() - began
                log_ = {"run_id": run_id, "final_loss": run.losses[-1], "all_losses": run.losses,
                        "num_behaviors": included, "suffix": suffix, "step_wall_s": run.step_wall_s}
                n = len(behaviors)
                for i, (behavior, prompt) in enumerate(zip(behaviors, prompts)):
                    cost = Cost(wall_s=wall / n, forward_passes=forward // n + (i < forward % n),
                                backward_passes=backward // n + (i < backward % n))
                    yield BehaviorResult(behavior.behavior_id, [prompt + suffix], [dict(log_)], cost, first_idx=r)
        finally:
            pool.close()

    def _optimize(self, pool, tokenizer, total: int, generator: torch.Generator, context: AttackContext,
                  r: int) -> tuple[torch.Tensor, OptimizerRun, int]:
        """One run: (final suffix ids [n], per-step record, behaviors included at the end)."""
        ids = torch.tensor(tokenizer(self.adv_string_init, add_special_tokens=False)["input_ids"], dtype=torch.long)
        if ids.numel() == 0:
            raise ConfigError(f"{self.name}: adv_string_init {self.adv_string_init!r} has no tokens")
        disallowed = disallowed_token_ids(tokenizer, self.allow_non_ascii)
        included = 1 if self.progressive_behaviors else total
        since_added = 0
        run = OptimizerRun()
        for step in range(self.num_steps):
            grads = pool.call("gradient", ids, included)
            vocab = min(g.shape[1] for g in grads)
            grad = sum(g[:, :vocab] for g in grads) / len(grads)
            candidates = sample_sweep(ids, top_k_tokens(grad, disallowed[disallowed < vocab]), self.search_width,
                                      generator)
            keep = retokenization_mask(tokenizer, candidates)
            if keep.any():
                candidates = candidates[keep]
            losses = torch.stack(pool.call("losses", candidates, included))  # [models, behaviors, candidates]
            mean = losses.mean(1).mean(0)  # over behaviors, then over models
            best = int(mean.argmin())
            ids, loss = candidates[best], float(mean[best])
            run.record(loss, ids)
            if step % self.eval_steps == 0 or step == self.num_steps - 1:
                line = f"{self.name} run {r + 1}/{len(self.run_ids)} step {step}: loss {loss:.4f}, {included}/{total} behaviors"
                log.debug("%s | %r", line, tokenizer.decode(ids))
                if context.progress is not None:
                    context.progress(line)
            since_added += 1
            if included < total and add_next_behavior(losses.mean(0)[:, best], since_added, self.add_behavior_loss,
                                                      self.add_behavior_steps):
                included, since_added = included + 1, 0
        return ids, run, included


def add_next_behavior(behavior_losses: torch.Tensor, steps_since_added: int, max_loss: float = 0.2,
                      max_steps: int = 100) -> bool:
    """Upstream's progressive rule: every included behavior's loss (mean over models, at the chosen
    candidate) is below `max_loss`, or `max_steps` steps have run since the last addition."""
    return bool((behavior_losses < max_loss).all()) or steps_since_added >= max_steps


def _target_models(value: Any) -> list[tuple[Any, int]]:
    """[(models.yaml name or loader dict, num_gpus)] from the `target_models` hyperparameter."""
    if not value or not isinstance(value, list):
        raise ConfigError("EnsembleGCG needs target_models: a list of {target_model: ..., num_gpus: ...}",
                          hint="run it through an experiment named after a model (e.g. --methods GCG-Multi "
                               "--models toy), or list models.yaml names or loader dicts under target_models")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("target_model"), (str, dict)):
            raise ConfigError(f"EnsembleGCG: target_models[{i}] must be a mapping with a target_model "
                              f"(a models.yaml name or a loader dict), not {item!r}")
        gpus = item.get("num_gpus", 1)  # upstream's default
        if isinstance(gpus, bool) or not isinstance(gpus, (int, float)) or gpus < 0:
            raise ConfigError(f"EnsembleGCG: target_models[{i}].num_gpus must be a number >= 0, not {gpus!r}")
        out.append((item["target_model"], gpus))
    return out


def _total(passes: list[tuple[int, int]]) -> tuple[int, int]:
    return sum(p[0] for p in passes), sum(p[1] for p in passes)
