"""`StandInLLM`: a rule-based stand-in for a strong attacker, judge or mutator LLM. It is NOT a
language model.

The LLM-driven attacks (PAIR, TAP, PAP, AutoDAN, FewShot, GPTFuzz, ArtPrompt) need a capable
instruction-following model as attacker, judge or mutator, and none can run on a CPU-only machine.
So that these methods can run end to end there (tests, `harmbench run --methods PAIR:toy`), this
model recognises the project's own attacker, judge, paraphrase, mutation and masking prompts and
answers each in the format the method expects. Its answers are simple rewrites of the request (a
framing, a word swap), chosen deterministically from the request and the sampling seed; they say
nothing about how a real attacker LLM would do.

Each role is a rule in a module of this package: a function `(messages, rng) -> str | None` that
returns None when the request is not its role. Modules register rules with `@rule`; every module
of the package is loaded, so adding a role means adding a module. Requests no rule claims get
`UNCLAIMED`.

Served by `harmbench.models.server.serve`, it is a stand-in behind a real OpenAI-compatible HTTP
endpoint; the models.yaml entry `standin` (backend `standin`) loads it in-process.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import random
from collections.abc import Callable, Sequence

from harmbench.models.base import Generation, GenerationConfig, GenerationRequest, Message, apply_stop

Rule = Callable[[Sequence[Message], random.Random], "str | None"]

UNCLAIMED = "[stand-in LLM: no scripted role matches this request]"

_RULES: list[tuple[str, Rule]] = []


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register a role. Rules are tried in registration order (module name order)."""

    def register(fn: Rule) -> Rule:
        _RULES.append((name, fn))
        return fn

    return register


_loaded = False


def _load_rules() -> None:
    """Import every rule module once (importing one module alone registers only its own rules)."""
    global _loaded
    if not _loaded:
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            importlib.import_module(f"{__name__}.{info.name}")
        _loaded = True


def rng_for(messages: Sequence[Message], seed: int | None) -> random.Random:
    """A generator fixed by the request's content and the sampling seed."""
    digest = hashlib.sha256(repr((seed, [(m.role, m.content) for m in messages])).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def count_tokens(text: str) -> int:
    """A rough token count (words), so tests and cost figures see plausible usage."""
    return len(text.split())


class StandInLLM:
    """The stand-in as a `Target`. It has no chat `format`, so methods treat it as an API model."""

    def __init__(self, name: str = "standin"):
        self.name = name
        _load_rules()

    @classmethod
    def from_config(cls, cfg) -> StandInLLM:
        return cls(cfg.name)

    def roles(self) -> list[str]:
        return [name for name, _ in _RULES]

    def reply(self, messages: Sequence[Message], seed: int | None = None) -> str:
        rng = rng_for(messages, seed)
        for _, fn in _RULES:
            text = fn(messages, rng)
            if text is not None:
                return text
        return UNCLAIMED

    def generate(self, requests: Sequence[GenerationRequest],
                 config: GenerationConfig = GenerationConfig()) -> list[Generation]:
        out = []
        for i, request in enumerate(requests):
            messages = request.messages or (Message("user", request.prompt or ""),)
            text, _ = apply_stop(self.reply(messages, config.seed_for(i)), config.stop)
            words = text.split(" ")
            finish = "stop"
            if len(words) > config.max_new_tokens:
                text, finish = " ".join(words[:config.max_new_tokens]), "length"
            out.append(Generation(text, tokens_in=sum(count_tokens(m.content) for m in messages),
                                  tokens_out=count_tokens(text), finish_reason=finish))
        return out

    def close(self) -> None:
        pass


__all__ = ["UNCLAIMED", "StandInLLM", "count_tokens", "rng_for", "rule"]
