"""Stand-in role of ArtPrompt: the masking model.

It masks the words of the instruction that make the toy target refuse (the keys of
`text.SOFTER`: prank, rude, fake, ...), in order of appearance, and answers in ArtPrompt's
"### Masked words: [...]" / "### Masked instruction: ..." format; an instruction without such
a word gets an empty list.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from harmbench.attacks import artprompt
from harmbench.models.base import Message
from harmbench.models.standin import rule
from harmbench.models.standin.text import SOFTER, last_user

_MARK = "### Instruction:"
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


@rule("artprompt-masker")
def mask(messages: Sequence[Message], rng: random.Random) -> str | None:
    prompt = last_user(messages)
    if not prompt.startswith(artprompt.MASKING_OPENING) or _MARK not in prompt:
        return None
    instruction = prompt.rpartition(_MARK)[2].strip()
    words: list[str] = []
    for match in _WORD.finditer(instruction):
        if match.group(0).lower() in SOFTER and match.group(0) not in words:
            words.append(match.group(0))
    masked = instruction
    for word in words:
        masked = masked.replace(word, artprompt.MASK)
    return f"### Masked words: [{', '.join(words)}]\n### Masked instruction: {masked}"
