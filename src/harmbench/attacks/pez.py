"""PEZ (Wen et al. 2023, "Hard Prompts Made Easy"): a soft prompt kept on the token lattice (spec §4.6).

Each test case is a prompt of `num_optim_tokens` continuous embeddings (float32), started at the
embeddings of uniformly random tokens. Every step snaps each of them to the vocabulary embedding
with the highest cosine similarity (exact search over the whole embedding matrix), computes the
target loss with these hard embeddings, and hands the gradient straight through the snapping to
the continuous embeddings, which Adam (no weight decay, cosine-annealed learning rate) updates.
The `num_generate` prompts of a call are optimised together, the loss being the batch mean of each
prompt's mean target cross-entropy. After the last step the embeddings are snapped once more and
the test case is the behavior followed by those tokens, decoded without special tokens.

As upstream, each step's logged loss is that of the tokens scored in that step, while the logged
test case is the one snapped after the update (so `final_loss` belongs to the tokens one update
before the returned test case). Unlike upstream, the behavior's prefix is run once and its KV
cache re-used (`use_prefix_cache`, default True): the loss and its gradient w.r.t. the soft
prompt are mathematically the same, and a step is cheaper.
Logs per test case: `final_loss`, `all_losses`, `all_test_cases`, `step_wall_s`.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from harmbench.attacks.base import register
from harmbench.attacks.optim.base import (
    OptimizerAttack,
    OptimizerRun,
    Problem,
    positive_float,
    positive_int,
)


class _StraightThrough(torch.autograd.Function):
    """Forward: the projected (hard) embeddings; backward: the gradient unchanged, to the soft ones."""

    @staticmethod
    def forward(ctx, soft: torch.Tensor, hard: torch.Tensor) -> torch.Tensor:
        return hard

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        return grad, None


def nearest_tokens(soft: torch.Tensor, unit_vocab: torch.Tensor) -> torch.Tensor:
    """Ids [B, n] of the vocabulary rows (unit-normalised, [V, h]) closest in cosine to `soft` [B, n, h]."""
    query = F.normalize(soft.reshape(-1, soft.shape[-1]).to(unit_vocab.dtype), dim=-1)
    return (query @ unit_vocab.T).argmax(dim=-1).reshape(soft.shape[:-1])


@register
class PEZ(OptimizerAttack):
    name = "PEZ"
    cost_per_behavior = "num_steps x 1 forward + 1 backward pass per test case"

    def __init__(self, num_optim_tokens: int = 20, num_steps: int = 100, lr: float = 1e-3, **hyperparameters: Any):
        super().__init__(num_optim_tokens=num_optim_tokens, num_steps=num_steps, lr=lr, **hyperparameters)
        self.num_optim_tokens = positive_int(self.name, "num_optim_tokens", num_optim_tokens)
        self.num_steps = positive_int(self.name, "num_steps", num_steps)
        self.lr = positive_float(self.name, "lr", lr)

    def optimize(self, problem: Problem, num_generate: int) -> list[tuple[str, dict[str, Any]]]:
        wb, tokenizer = problem.wb, problem.wb.tokenizer
        slot = wb.split(problem.user_text, problem.target_text)
        if self.use_prefix_cache:
            wb.cache_prefix(slot)
        vocab = wb.embedding_matrix().detach()
        unit_vocab = F.normalize(vocab, dim=-1)
        init_ids = torch.randint(vocab.shape[0], (num_generate, self.num_optim_tokens), generator=problem.generator)
        soft = torch.nn.Parameter(vocab[init_ids.to(vocab.device)].float())
        optimizer = torch.optim.Adam([soft], lr=self.lr, weight_decay=0)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, self.num_steps)
        behavior_ids = slot.behavior_ids[0].cpu()
        runs = [OptimizerRun() for _ in range(num_generate)]
        for _ in range(self.num_steps):
            with torch.no_grad():
                ids = nearest_tokens(soft, unit_vocab)
            embeds = _StraightThrough.apply(soft.to(vocab.dtype), vocab[ids])
            losses = wb.target_loss_from_embeds(embeds, slot, self.use_prefix_cache)
            (grad,) = torch.autograd.grad(losses.mean(), soft)
            wb.sequences_forward += num_generate
            wb.sequences_backward += num_generate
            soft.grad = grad
            optimizer.step()
            scheduler.step()
            with torch.no_grad():
                ids = nearest_tokens(soft, unit_vocab).cpu()
            for run, loss, row in zip(runs, losses.detach().cpu().tolist(), ids):
                run.record(loss, torch.cat([behavior_ids, row]))

        def decode(ids: torch.Tensor) -> str:
            return tokenizer.decode(ids, skip_special_tokens=True)

        return [(decode(run.ids[-1]), run.logs(decode)) for run in runs]
