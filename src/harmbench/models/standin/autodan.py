"""Stand-in role of AutoDAN: the mutation LLM that rewrites a prompt passage in other words.

It recognises AutoDAN's mutation request and answers with the passage, some words swapped for
synonyms from AutoDAN's table (each with probability 1/3, drawn from the request's seeded
generator) and refusal-triggering words softened. Parenthesised tags are left alone because the
table has none of their words. Text only: it does not write new content.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from harmbench.attacks.autodan_templates import (
    MUTATION_PROMPT,
    PASSAGE_LABEL,
    synonym_table,
)
from harmbench.models.base import Message
from harmbench.models.standin import rule
from harmbench.models.standin.text import last_user, soften

_OPENING = MUTATION_PROMPT[:40]
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
SWAP_PROBABILITY = 1 / 3


@rule("autodan-mutator")
def mutator(messages: Sequence[Message], rng: random.Random) -> str | None:
    request = last_user(messages)
    if not request.startswith(_OPENING) or PASSAGE_LABEL not in request:
        return None
    passage = request.split(PASSAGE_LABEL, 1)[1]
    table = synonym_table()

    def swap(match: re.Match) -> str:
        word = match.group(0)
        options = table.get(word.lower())
        if not options or rng.random() >= SWAP_PROBABILITY:
            return word
        new = rng.choice(options)
        return new[:1].upper() + new[1:] if word[:1].isupper() else new

    return soften(_WORD.sub(swap, passage))
