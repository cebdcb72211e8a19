"""Gradient-guided candidate search: one-hot token gradients, top-k sampling, candidate scoring."""

from __future__ import annotations

import torch

from harmbench.attacks.optim.tokens import retokenization_mask

TOPK = 256  # upstream hard-codes top-256 for GCG, EnsembleGCG and AutoPrompt


def token_gradient(wb, suffix_ids: torch.Tensor, slots, use_prefix_cache: bool = True) -> torch.Tensor:
    """d loss / d one-hot(suffix) [n, vocab], the loss summed over `slots` (one or several prompts).

    One forward and backward pass per slot on the current suffix; the prefix cache (if any) holds
    no gradient, so only the suffix and what follows it are differentiated.
    """
    slots = slots if isinstance(slots, (list, tuple)) else [slots]
    weights = wb.embedding_matrix()
    one_hot = torch.zeros(suffix_ids.shape[-1], weights.shape[0], device=weights.device, dtype=weights.dtype)
    one_hot.scatter_(1, suffix_ids.reshape(-1, 1), 1.0)
    one_hot.requires_grad_(True)
    embeds = (one_hot @ weights).unsqueeze(0)
    total = None
    for slot in slots:
        if use_prefix_cache and slot.prefix_cache is None:
            wb.cache_prefix(slot)
        loss = wb.target_loss_from_embeds(embeds, slot, use_prefix_cache).sum()
        total = loss if total is None else total + loss
    (grad,) = torch.autograd.grad(total, one_hot)
    wb.sequences_backward += len(slots)
    return grad


def top_k_tokens(grad: torch.Tensor, disallowed: torch.Tensor | None, topk: int = TOPK) -> torch.Tensor:
    """[n, topk] ids with the most negative gradient per position; disallowed ids get max + 1 first,
    as upstream does, so they never make the top-k."""
    grad = grad.clone()
    if disallowed is not None and len(disallowed):
        grad[:, disallowed.to(grad.device)] = grad.max() + 1
    return (-grad).topk(min(topk, grad.shape[1]), dim=1).indices


def sample_sweep(suffix_ids: torch.Tensor, top: torch.Tensor, width: int, generator: torch.Generator) -> torch.Tensor:
    """GCG: `width` copies of the suffix, copy k changing position int(k * n / width) (an even sweep
    over positions) to a uniformly drawn token from that position's top-k. -> [width, n]"""
    n = suffix_ids.shape[-1]
    positions = torch.arange(0, n, n / width)[:width].long()
    picks = torch.randint(0, top.shape[1], (width, 1), generator=generator)
    return _replace(suffix_ids, top, positions, picks)


def sample_one_position(suffix_ids: torch.Tensor, top: torch.Tensor, width: int,
                        generator: torch.Generator) -> torch.Tensor:
    """AutoPrompt: one random position for all `width` candidates, each a uniform draw from its top-k."""
    n = suffix_ids.shape[-1]
    position = torch.randint(0, n, (1,), generator=generator)
    picks = torch.randint(0, top.shape[1], (width, 1), generator=generator)
    return _replace(suffix_ids, top, position.expand(width), picks)


def _replace(suffix_ids, top, positions, picks):
    device = suffix_ids.device
    positions, picks = positions.to(top.device), picks.to(top.device)
    values = torch.gather(top[positions], 1, picks)
    candidates = suffix_ids.reshape(1, -1).repeat(positions.shape[0], 1)
    return candidates.scatter_(1, positions.unsqueeze(1).to(device), values.to(device))


def candidate_losses(wb, candidates: torch.Tensor, slots, *, filter_retokenization: bool = True,
                     use_prefix_cache: bool = True, batch_size: int | None = None,
                     current: torch.Tensor | None = None):
    """Score candidate suffixes: (kept candidates [m, n], losses [len(slots), m]).

    Candidates that change under re-tokenisation are dropped (all kept if none survives, as
    upstream's GCG). Duplicates are scored once: the loss of a row depends only on its ids, so
    the minimum and its first index are the same as scoring every row.

    Given the `current` suffix [n] the candidates were made from, on CPU, candidates that first
    differ from it at position p are scored from the KV cache of prefix + current[:p] (one extra
    pass of n tokens per step): the same losses, with on average half the suffix not recomputed.
    Not yet measured on GPU, where it is off: there many small batches may cost more than it saves.
    """
    if filter_retokenization:
        keep = retokenization_mask(wb.tokenizer, candidates)
        if keep.any():
            candidates = candidates[keep.to(candidates.device)]
    unique, inverse = torch.unique(candidates, dim=0, return_inverse=True)
    slots = slots if isinstance(slots, (list, tuple)) else [slots]
    if current is not None and use_prefix_cache and wb.device.type == "cpu":
        losses = torch.stack([_losses_sharing_suffix_prefix(wb, unique, current, slot, batch_size) for slot in slots])
    else:
        losses = torch.stack([wb.target_loss(unique, slot, use_prefix_cache, batch_size) for slot in slots])
    return candidates, losses[:, inverse]


def _losses_sharing_suffix_prefix(wb, candidates, current, slot, batch_size):
    n = current.shape[0]
    differs = candidates != current.reshape(1, -1)
    first = torch.where(differs.any(dim=1), differs.int().argmax(dim=1), torch.full_like(differs[:, 0], n, dtype=torch.long))
    extended = wb.extend_prefix(slot, current)
    prefix_len = slot.prefix_ids.shape[1]
    out = torch.empty(candidates.shape[0], device=candidates.device)
    for p in first.unique().tolist():
        rows = (first == p).nonzero().squeeze(1)
        kv = [(k[:, :, :prefix_len + p], v[:, :, :prefix_len + p]) for k, v in extended]
        out[rows] = wb.target_loss(candidates[rows, p:], slot, True, batch_size, prefix_kv=kv).to(out.device)
    return out
