"""Which tokens an optimiser may place, and which candidates survive re-tokenisation (spec §4.1)."""

from __future__ import annotations

import torch

_DISALLOWED_CACHE: dict[tuple[int, bool], torch.Tensor] = {}

# Baichuan-2's tokenizer decodes ids 101-999 to byte fragments that upstream excludes as well.
_BAICHUAN_EXTRA = range(101, 1000)


def _is_printable_ascii(text: str) -> bool:
    return text.isascii() and text.isprintable()


def disallowed_token_ids(tokenizer, allow_non_ascii: bool = False) -> torch.Tensor:
    """Upstream's mask: every id in [3, vocab_size) that decodes to non-printable or non-ASCII text
    (unless `allow_non_ascii`), plus the BOS, EOS, PAD and UNK ids. Cached per tokenizer.

    Like upstream, `vocab_size` is the tokenizer's base vocabulary (added tokens beyond it are
    not checked) and other special tokens that decode to printable ASCII stay allowed.
    """
    key = (id(tokenizer), allow_non_ascii)
    if key not in _DISALLOWED_CACHE:
        ids: set[int] = set()
        if not allow_non_ascii:
            texts = tokenizer.batch_decode([[i] for i in range(3, tokenizer.vocab_size)])
            ids.update(i for i, text in zip(range(3, tokenizer.vocab_size), texts) if not _is_printable_ascii(text))
            if "baichuan" in type(tokenizer).__name__.lower():
                ids.update(_BAICHUAN_EXTRA)
        ids.update(i for i in (tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id,
                               tokenizer.unk_token_id) if i is not None)
        _DISALLOWED_CACHE[key] = torch.tensor(sorted(ids), dtype=torch.long)
    return _DISALLOWED_CACHE[key]


def retokenization_mask(tokenizer, candidates: torch.Tensor) -> torch.Tensor:
    """[B] bool: True where decoding a candidate [B, n] and encoding it again gives the same ids.

    Upstream drops the others, because the test case is a string and the target model will
    see the string's tokenisation, not the optimised ids. One batched decode and encode.
    """
    rows = candidates.tolist()
    texts = tokenizer.batch_decode(rows)
    again = tokenizer(texts, add_special_tokens=False)["input_ids"]
    return torch.tensor([a == r for a, r in zip(again, rows)], dtype=torch.bool)
