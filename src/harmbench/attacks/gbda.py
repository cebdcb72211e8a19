"""GBDA (Guo et al. 2021, "Gradient-based Adversarial Attacks against Text Transformers") (spec §4.7).

Each test case is a distribution over prompts of `num_optim_tokens` tokens: a row of
log-coefficients over the tokenizer's vocabulary per position, started at `noise_scale` times
standard normal noise. Every step draws a relaxed (soft) Gumbel-softmax sample of those rows, at a
temperature going linearly from 1.0 to 0.1 over the run, feeds the sample-weighted mix of token
embeddings to the model, and lets Adam (cosine-annealed learning rate) lower the target loss: the
batch mean of each prompt's mean target cross-entropy. The test case is the behavior followed by
the most likely token of each position after the last step, decoded without special tokens.

As upstream, each step's logged loss is that of the soft sample, and the logged test case is the
argmax after that step's update, so `final_loss` can be well below the loss of the returned tokens.
Unlike upstream, the behavior's prefix is run once and its KV cache re-used (`use_prefix_cache`,
default True): the loss and its gradient are mathematically the same, and a step is cheaper.
Random draws: the initial noise comes from the call's seeded CPU generator, the Gumbel noise from
a device generator seeded from it, so a seed gives the same test cases again on the same device.
Logs per test case: `final_loss`, `all_losses`, `all_test_cases`, `step_wall_s`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from harmbench.attacks.base import register
from harmbench.attacks.optim.base import (
    OptimizerAttack,
    OptimizerRun,
    Problem,
    positive_float,
    positive_int,
)


def gumbel_softmax(logits: torch.Tensor, tau: float, generator: torch.Generator) -> torch.Tensor:
    """torch's soft `gumbel_softmax`, with its noise drawn from `generator`."""
    gumbels = -torch.empty_like(logits).exponential_(generator=generator).log()
    return ((logits + gumbels) / tau).softmax(dim=-1)


@register
class GBDA(OptimizerAttack):
    name = "GBDA"
    cost_per_behavior = "num_steps x 1 forward + 1 backward pass per test case"

    def __init__(self, num_optim_tokens: int = 20, num_steps: int = 50, lr: float = 0.2, noise_scale: float = 0.2,
                 **hyperparameters: Any):
        super().__init__(num_optim_tokens=num_optim_tokens, num_steps=num_steps, lr=lr, noise_scale=noise_scale,
                         **hyperparameters)
        self.num_optim_tokens = positive_int(self.name, "num_optim_tokens", num_optim_tokens)
        self.num_steps = positive_int(self.name, "num_steps", num_steps)
        self.lr = positive_float(self.name, "lr", lr)
        self.noise_scale = positive_float(self.name, "noise_scale", noise_scale)

    def optimize(self, problem: Problem, num_generate: int) -> list[tuple[str, dict[str, Any]]]:
        wb, tokenizer = problem.wb, problem.wb.tokenizer
        slot = wb.split(problem.user_text, problem.target_text)
        if self.use_prefix_cache:
            wb.cache_prefix(slot)
        matrix = wb.embedding_matrix().detach()
        # Upstream mixes the tokenizer's base vocabulary (not added tokens, not padding rows).
        vocab = matrix[:min(tokenizer.vocab_size, matrix.shape[0])]
        noise = torch.randn(num_generate, self.num_optim_tokens, vocab.shape[0], generator=problem.generator)
        log_coeffs = torch.nn.Parameter((noise * self.noise_scale).to(vocab.device))
        gumbel = torch.Generator(device=vocab.device)
        gumbel.manual_seed(int(torch.randint(2**62, (1,), generator=problem.generator)))
        optimizer = torch.optim.Adam([log_coeffs], lr=self.lr)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, self.num_steps)
        taus = np.linspace(1.0, 0.1, self.num_steps)
        behavior_ids = slot.behavior_ids[0].cpu()
        runs = [OptimizerRun() for _ in range(num_generate)]
        for step in range(self.num_steps):
            coeffs = gumbel_softmax(log_coeffs, float(taus[step]), gumbel).to(vocab.dtype)
            losses = wb.target_loss_from_embeds(coeffs @ vocab, slot, self.use_prefix_cache)
            (grad,) = torch.autograd.grad(losses.mean(), log_coeffs)
            wb.sequences_forward += num_generate
            wb.sequences_backward += num_generate
            log_coeffs.grad = grad
            optimizer.step()
            scheduler.step()
            ids = log_coeffs.detach().argmax(dim=-1).cpu()
            for run, loss, row in zip(runs, losses.detach().cpu().tolist(), ids):
                run.record(loss, torch.cat([behavior_ids, row]))

        def decode(ids: torch.Tensor) -> str:
            return tokenizer.decode(ids, skip_special_tokens=True)

        return [(decode(run.ids[-1]), run.logs(decode)) for run in runs]
