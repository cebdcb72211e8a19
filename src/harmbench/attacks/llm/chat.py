"""Attacker conversations, asked in batches: one `generate` call per round for all streams (spec §4.10).

A local attacker (a backend whose chat formatting we control: `format` exists) gets the chat
rendered with its template plus the start of the JSON answer (upstream's prefill:
`{"improvement": "","prompt": "` on the first turn, `{"improvement": "` later) and stops at
`}`; an API attacker gets the chat as messages. Answers that cannot be parsed are asked again,
all together, up to `max_retries` rounds; a stream still without an answer gets None (upstream
drops such streams). Each accepted answer is appended to its conversation as the attacker's turn.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from harmbench.attacks.base import Cost
from harmbench.attacks.llm.parsing import AttackStep, parse_attack, truncate_history
from harmbench.models.base import GenerationConfig, GenerationRequest, Message

FIRST_PREFILL = '{"improvement": "","prompt": "'
LATER_PREFILL = '{"improvement": "'


@dataclass
class Conversation:
    """One attack stream: the attacker's system prompt and the turns so far."""

    system: str
    turns: list[Message] = field(default_factory=list)
    log: list = field(default_factory=list)  # what the method records of this stream, step by step

    def ask(self, text: str) -> None:
        self.turns.append(Message("user", text))

    def answered(self, step: AttackStep) -> None:
        self.turns.append(Message("assistant", json.dumps({"improvement": step.improvement, "prompt": step.prompt})))

    def truncate(self, keep_last_n: int) -> None:
        self.turns = truncate_history(self.turns, keep_last_n)

    def request(self, attacker, prefill: str) -> GenerationRequest:
        chat = GenerationRequest.chat([Message("system", self.system), *self.turns])
        render = getattr(attacker, "format", None)
        return GenerationRequest.raw(render(chat) + prefill) if callable(render) else chat


def is_local(model) -> bool:
    return callable(getattr(model, "format", None))


def cost_of(costs: Cost | Sequence[Cost] | None, i: int) -> Cost | None:
    """The Cost that call i is charged to: one shared Cost, or one per request (several behaviors in a batch)."""
    if costs is None or isinstance(costs, Cost):
        return costs
    return costs[i]


def propose(attacker, conversations: Sequence[Conversation], config: GenerationConfig, *, first_turn: bool,
            max_retries: int, cost: Cost | Sequence[Cost] | None = None) -> list[AttackStep | None]:
    """One attack per conversation (None where every try failed), in batched rounds. `cost`: one
    Cost for all calls, or one per conversation."""
    local = is_local(attacker)
    prefill = (FIRST_PREFILL if first_turn else LATER_PREFILL) if local else ""
    if local:
        config = dataclasses.replace(config, stop=tuple(config.stop) or ("}",))
    results: list[AttackStep | None] = [None] * len(conversations)
    pending = list(range(len(conversations)))
    for _ in range(max(1, max_retries)):
        outputs = attacker.generate([conversations[i].request(attacker, prefill) for i in pending], config)
        for i, out in zip(pending, outputs):
            charged = cost_of(cost, i)
            if charged is not None:
                charged.charge(out)
            step = parse_attack(out.text, prefill)
            if step is not None:
                results[i] = step
                conversations[i].answered(step)
        pending = [i for i in pending if results[i] is None]
        if not pending:
            break
    return results
