"""White-box access to a local torch model, for the token-optimisation attacks and R2D2.

The attacked sequence is laid out as upstream lays it out (spec §4.1):

    [template before the user turn, with BOS] [behavior] [adversarial suffix] [template after] [target]

`SlotPrompt` holds the token ids of each fixed part; `WhiteBox` embeds, runs forward passes from
input embeddings and scores a batch of candidate suffixes by their mean cross-entropy on the
target tokens, running the fixed prefix once and re-using its KV cache for every candidate.

Scoring candidates is most of an optimiser's time, so `target_loss` keeps it lean: the prefix's
keys and values are broadcast to each chunk (no deep copy), only the logits that predict target
tokens are computed, and on CPU candidates go in chunks of about `CPU_TOKENS_PER_CHUNK` tokens,
which keeps activations in cache (on the 2.1M toy, 512 candidates x 46 tokens score in 0.9 s in
chunks of 32-64 and in 1.5 s as one batch). On GPU the first chunk is the whole set, as upstream,
and a chunk that runs out of memory is halved and retried; the smaller size is kept.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from harmbench.errors import HarmbenchError

_SLOT = "\ue000HARMBENCH_ADV_SLOT\ue000"  # a private-use marker no template rewrites
CPU_TOKENS_PER_CHUNK = 2048


@dataclass
class SlotPrompt:
    """Token ids around the adversarial slot, each of shape [1, n] on the model's device."""

    before_ids: torch.Tensor  # chat template up to the user's text, tokenized with special tokens (BOS)
    behavior_ids: torch.Tensor  # the user's text (behavior, context-prefixed)
    after_ids: torch.Tensor  # chat template after the user's text, up to the assistant's reply
    target_ids: torch.Tensor  # the affirmative reply to elicit
    prefix_cache: list | None = None  # per layer (keys, values) of before + behavior, from WhiteBox.cache_prefix

    @property
    def prefix_ids(self) -> torch.Tensor:
        return torch.cat([self.before_ids, self.behavior_ids], dim=1)


class WhiteBox:
    """Gradients and losses on an `HFTarget`'s model (which it shares; no copy is made)."""

    def __init__(self, target):
        self.target = target
        self.model = target.model
        self.tokenizer = target.tokenizer
        # transformers 5.2x renamed `past_key_values` to `cache` (argument and output field).
        params = inspect.signature(self.model.forward).parameters
        self._cache_arg = "cache" if "cache" in params else "past_key_values"
        # Computing logits only where targets are predicted; the keyword depends on the version.
        self._keep_arg = next((k for k in ("logits_to_keep", "num_logits_to_keep") if k in params), None)
        self.max_batch: int | None = None  # lowered after an out-of-memory error, kept for later calls
        self.sequences_forward = 0  # sequences scored, for cost accounting
        self.sequences_backward = 0

    @property
    def device(self) -> torch.device:
        return self.target.device

    @property
    def dtype(self) -> torch.dtype:
        return self.embedding_matrix().dtype

    def embedding_matrix(self) -> torch.Tensor:
        """[vocab, hidden] input embeddings."""
        return self.model.get_input_embeddings().weight

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        return self.model.get_input_embeddings()(ids)

    def encode(self, text: str) -> torch.Tensor:
        """Text to [1, n] ids without special tokens (for suffixes and targets)."""
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return torch.tensor([ids], device=self.device, dtype=torch.long)

    def split(self, user_text: str, target: str, system: str | None = None) -> SlotPrompt:
        """Lay out `user_text` + suffix slot in the model's chat format, as upstream's optimisers do."""
        from harmbench.models.base import GenerationRequest

        prompt = self.target.format(GenerationRequest.user(_SLOT, system=system))
        if prompt.count(_SLOT) != 1:
            raise HarmbenchError(f"{self.target.name}: the chat template does not keep the user's text intact",
                                 hint="white-box attacks need a template that embeds the user message verbatim")
        before, after = prompt.split(_SLOT)
        before_ids = self.tokenizer(before, add_special_tokens=True)["input_ids"]
        return SlotPrompt(
            before_ids=torch.tensor([before_ids], device=self.device, dtype=torch.long),
            behavior_ids=self.encode(user_text),
            after_ids=self.encode(after),
            target_ids=self.encode(target),
        )

    def forward(self, inputs_embeds: torch.Tensor, past_key_values=None, last: int | None = None) -> torch.Tensor:
        """Logits [batch, n, vocab] from input embeddings (continuing `past_key_values` if given).

        With `last`, only the last `last` positions' logits are computed where the model allows it
        (callers slice from the end, so either way the result reads the same).
        """
        kwargs = {self._cache_arg: past_key_values} if past_key_values is not None else {"use_cache": False}
        if last is not None and self._keep_arg:
            kwargs[self._keep_arg] = last
        return self.model(inputs_embeds=inputs_embeds, **kwargs).logits

    @torch.no_grad()
    def cache_prefix(self, slot: SlotPrompt) -> SlotPrompt:
        """Run the fixed prefix once and keep its KV cache in the slot."""
        out = self.model(input_ids=slot.prefix_ids, use_cache=True)
        slot.prefix_cache = _layer_tensors(getattr(out, self._cache_arg))
        return slot

    @torch.no_grad()
    def extend_prefix(self, slot: SlotPrompt, ids: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Per-layer keys and values of the prefix followed by `ids` [n] (one forward pass of n tokens)."""
        if slot.prefix_cache is None:
            self.cache_prefix(slot)
        out = self.model(inputs_embeds=self.embed(ids.reshape(1, -1)), use_cache=True,
                         **{self._cache_arg: self._expanded_cache(slot.prefix_cache, 1)})
        return _layer_tensors(getattr(out, self._cache_arg))

    def _expanded_cache(self, prefix_kv: list, batch: int):
        """A fresh cache holding the prefix for `batch` rows: broadcast views, copied once by the model."""
        from transformers import DynamicCache

        kv = [(k.expand(batch, -1, -1, -1), v.expand(batch, -1, -1, -1)) for k, v in prefix_kv]
        if "ddp_cache_data" in inspect.signature(DynamicCache.__init__).parameters:
            return DynamicCache(kv, config=self.model.config)
        return DynamicCache.from_legacy_cache(tuple(kv))

    def target_loss_from_embeds(self, suffix_embeds: torch.Tensor, slot: SlotPrompt,
                                use_prefix_cache: bool = True, prefix_kv: list | None = None) -> torch.Tensor:
        """Differentiable mean target cross-entropy, one value per row of `suffix_embeds` [B, n, hidden].

        `prefix_kv` (from `extend_prefix`, sliced) stands for the prefix and the suffix's first
        tokens when `suffix_embeds` holds only the rest of the suffix."""
        batch = suffix_embeds.shape[0]
        tail = self.embed(torch.cat([slot.after_ids, slot.target_ids], dim=1)).expand(batch, -1, -1)
        n_target = slot.target_ids.shape[1]
        prefix_kv = prefix_kv if prefix_kv is not None else (slot.prefix_cache if use_prefix_cache else None)
        if prefix_kv is not None:
            embeds = torch.cat([suffix_embeds, tail], dim=1)
            logits = self.forward(embeds, past_key_values=self._expanded_cache(prefix_kv, batch), last=n_target + 1)
        else:
            prefix = self.embed(slot.prefix_ids).expand(batch, -1, -1)
            embeds = torch.cat([prefix, suffix_embeds, tail], dim=1)
            logits = self.forward(embeds, last=n_target + 1)
        # The logit at the position before each target token predicts it (teacher forcing).
        predicting = logits[:, -n_target - 1:-1, :]
        labels = slot.target_ids.expand(batch, -1)
        if predicting.dtype in (torch.float16, torch.bfloat16):
            predicting = predicting.float()  # half-precision log-softmax loses the small losses GCG ranks by
        loss = F.cross_entropy(predicting.transpose(1, 2), labels, reduction="none")
        return loss.mean(dim=1)

    @torch.no_grad()
    def target_loss(self, suffix_ids: torch.Tensor, slot: SlotPrompt, use_prefix_cache: bool = True,
                    batch_size: int | None = None, prefix_kv: list | None = None) -> torch.Tensor:
        """Mean target cross-entropy of each candidate suffix in `suffix_ids` [B, n] -> [B].

        Candidates go in chunks of `batch_size` (default: see the module's docstring), halved on
        out-of-memory.
        """
        if use_prefix_cache and prefix_kv is None and slot.prefix_cache is None:
            self.cache_prefix(slot)
        size = batch_size or self.default_batch(suffix_ids.shape[0], suffix_ids.shape[1] + slot.after_ids.shape[1]
                                                + slot.target_ids.shape[1])
        losses = self._chunked(suffix_ids.shape[0], size, lambda a, b: self.target_loss_from_embeds(
            self.embed(suffix_ids[a:b]), slot, use_prefix_cache, prefix_kv))
        self.sequences_forward += suffix_ids.shape[0]
        return losses

    @torch.no_grad()
    def losses_after(self, prompts: list[list[int]], target_ids: list[int], batch_size: int | None = None) -> list[float]:
        """Mean cross-entropy of `target_ids` after each whole prompt (token ids, e.g. a chat-formatted
        test case), exactly as for the prompt alone: rows are right-padded, which a causal model never
        attends to, and rows of similar length share a batch."""
        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
        size = batch_size or self.default_batch(len(prompts), len(prompts[order[-1]]) + len(target_ids))
        values = self._chunked(len(order), size, lambda a, b: self._padded_losses(
            [prompts[i] for i in order[a:b]], target_ids))
        losses = [0.0] * len(prompts)
        for i, value in zip(order, values.tolist()):
            losses[i] = value
        self.sequences_forward += len(prompts)
        return losses

    def _padded_losses(self, prompts: list[list[int]], target_ids: list[int]) -> torch.Tensor:
        rows = [p + target_ids for p in prompts]
        width = max(len(r) for r in rows)
        pad = self.tokenizer.pad_token_id
        pad = pad if pad is not None else target_ids[-1]  # never attended to: any id will do
        ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows], device=self.device)
        # The logit at len(prompt)-1+k predicts target token k; only the window covering every row's
        # target (from the shortest prompt's start to the end) is computed.
        starts = torch.tensor([len(p) - 1 for p in prompts], device=self.device)
        window = width - int(starts.min())
        logits = self.forward(self.embed(ids), last=window)[:, -window:, :]
        positions = (starts - (width - window)).unsqueeze(1) + torch.arange(len(target_ids), device=self.device)
        predicting = logits.gather(1, positions.unsqueeze(2).expand(-1, -1, logits.shape[-1])).float()
        labels = torch.tensor(target_ids, device=self.device).expand(len(rows), -1)
        return F.cross_entropy(predicting.transpose(1, 2), labels, reduction="none").mean(dim=1)

    def _chunked(self, n: int, size: int, run) -> torch.Tensor:
        """`run(start, stop)` over [0, n) in chunks of `size` (at most `max_batch`); on out-of-memory
        the chunk is halved, and the smaller size kept for later calls."""
        if self.max_batch:
            size = min(size, self.max_batch)
        out = []
        start = 0
        while start < n:
            stop = min(n, start + size)
            try:
                out.append(run(start, stop))
            except (torch.cuda.OutOfMemoryError, RuntimeError) as exc:
                if not is_out_of_memory(exc) or size == 1:
                    raise
                size = self.max_batch = max(1, (stop - start) // 2)
                if torch.cuda.is_available():
                    torch.cuda.empty_cache()
                continue
            start = stop
        return torch.cat(out)

    def default_batch(self, n: int, seq_len: int) -> int:
        if self.device.type == "cpu":
            return max(1, min(n, CPU_TOKENS_PER_CHUNK // max(1, seq_len)))
        return n


def is_out_of_memory(exc: BaseException) -> bool:
    """CUDA or CPU allocation failure (retrying with a smaller batch may succeed)."""
    if isinstance(exc, torch.cuda.OutOfMemoryError):
        return True
    return isinstance(exc, RuntimeError) and ("out of memory" in str(exc) or "can't allocate memory" in str(exc))


def _layer_tensors(cache) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """[(keys, values)] per layer from a transformers cache (5.x `layers`, or the 4.x legacy tuples)."""
    if hasattr(cache, "layers"):
        return [(layer.keys, layer.values) for layer in cache.layers]
    if hasattr(cache, "to_legacy_cache"):
        cache = cache.to_legacy_cache()
    return [(k, v) for k, v, *_ in cache]
