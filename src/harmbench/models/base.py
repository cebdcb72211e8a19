"""The `Target` protocol every model backend implements, and the records it exchanges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

# Upstream's completion length for every paper experiment (spec §1.3).
DEFAULT_MAX_NEW_TOKENS = 512

FINISH_REASONS = ("stop", "length", "content_filter", "error")


@dataclass(frozen=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True)
class GenerationRequest:
    """One thing to generate from: a chat (`messages`) or a raw, already formatted `prompt`."""

    messages: tuple[Message, ...] | None = None
    prompt: str | None = None

    def __post_init__(self) -> None:
        if (self.messages is None) == (self.prompt is None):
            raise ValueError("a GenerationRequest takes exactly one of messages or prompt")

    @classmethod
    def user(cls, text: str, system: str | None = None) -> GenerationRequest:
        """A one-turn chat: what the pipeline sends for a test case."""
        head = (Message("system", system),) if system else ()
        return cls(messages=head + (Message("user", text),))

    @classmethod
    def chat(cls, messages: Sequence[Message | dict]) -> GenerationRequest:
        return cls(messages=tuple(m if isinstance(m, Message) else Message(m["role"], m["content"]) for m in messages))

    @classmethod
    def raw(cls, prompt: str) -> GenerationRequest:
        return cls(prompt=prompt)


@dataclass(frozen=True)
class GenerationConfig:
    """Decoding settings. temperature 0 means greedy, upstream's setting everywhere."""

    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    temperature: float = 0.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int | None = None

    @property
    def greedy(self) -> bool:
        return self.temperature <= 0.0

    def seed_for(self, index: int) -> int | None:
        """The seed of the `index`-th request of a call. Each request gets its own (seed + index), so
        identical requests in one call (an attacker's parallel streams) are sampled independently on
        backends that seed each request (vLLM, APIs), as they are in one batched `hf` sample."""
        return None if self.seed is None else (self.seed + index) % (2**31 - 1)


@dataclass(frozen=True)
class Generation:
    text: str
    tokens_in: int | None = None
    tokens_out: int | None = None
    finish_reason: str = "stop"  # one of FINISH_REASONS
    meta: dict = field(default_factory=dict, compare=False)  # backend extras (e.g. retries, provider codes)


@runtime_checkable
class Target(Protocol):
    """A model that turns requests into generations; one instance per loaded model."""

    name: str

    def generate(self, requests: Sequence[GenerationRequest], config: GenerationConfig = GenerationConfig()) -> list[Generation]:
        """One generation per request, in order."""
        ...

    def close(self) -> None:
        ...


def apply_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """Cut `text` at the first stop string (the stop string itself is dropped, as vLLM and APIs do)."""
    cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)
