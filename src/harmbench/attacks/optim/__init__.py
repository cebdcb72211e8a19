"""The shared toolkit of the white-box token optimisers (GCG, EnsembleGCG, AutoPrompt, UAT, PEZ, GBDA).

- `tokens`: the disallowed-token mask and the re-tokenisation filter, as upstream (spec §4.1).
- `search`: the one-hot token gradient, top-k candidate sampling, candidate scoring.
- `refusal_check`: upstream's early-stopping check (32 greedy tokens, refusal strings anywhere).
- `base`: `OptimizerAttack`, the loop over behaviors and test cases every method shares (target
  loading, optimizer targets, seeds, cost, logs).

Model access goes through `harmbench.models.whitebox.WhiteBox` (prefix KV cache, batched loss).
"""

from harmbench.attacks.optim.base import OptimizerAttack, OptimizerRun
from harmbench.attacks.optim.refusal_check import check_refusal
from harmbench.attacks.optim.search import (
    TOPK,
    candidate_losses,
    sample_one_position,
    sample_sweep,
    token_gradient,
    top_k_tokens,
)
from harmbench.attacks.optim.tokens import disallowed_token_ids, retokenization_mask

__all__ = [
    "TOPK",
    "OptimizerAttack",
    "OptimizerRun",
    "candidate_losses",
    "check_refusal",
    "disallowed_token_ids",
    "retokenization_mask",
    "sample_one_position",
    "sample_sweep",
    "token_gradient",
    "top_k_tokens",
]
