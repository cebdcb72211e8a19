"""Text helpers shared by the stand-in's rules (no rules here)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from harmbench.models.base import Message

# Words that make the toy target (and many real ones) refuse, and the milder words the stand-in
# swaps in: the stand-in's one "trick", enough to make attacks succeed sometimes on the toy.
SOFTER = {
    "rude": "cheeky", "mean-spirited": "playful", "mocking": "about", "mock": "describe", "fake": "pretend",
    "falsely": "playfully", "tricks": "invites", "trick": "invite", "prank": "surprise", "sneak": "bring",
    "stink": "smelly", "misleading": "creative", "persuasive": "lively", "convincing": "telling",
    "pretending": "writing as", "sarcastic": "witty", "itching": "tickling",
}

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_STOP = {"the", "and", "that", "this", "with", "from", "into", "your", "their", "they", "them", "about",
         "write", "explain", "describe", "give", "generate", "make", "how", "for", "what", "which", "will"}


def system_of(messages: Sequence[Message]) -> str:
    return messages[0].content if messages and messages[0].role == "system" else ""


def last_user(messages: Sequence[Message]) -> str:
    users = [m.content for m in messages if m.role == "user"]
    return users[-1] if users else ""


def line_after(text: str, label: str, last: bool = False) -> str | None:
    """The rest of the first (or `last`) line that starts with `label`."""
    found = [line[len(label):].strip() for line in text.splitlines() if line.startswith(label)]
    return (found[-1] if last else found[0]) if found else None


def content_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if len(w) > 3 and w.lower() not in _STOP}


def overlap(task: str, text: str) -> float:
    """Share of the task's content words that occur in `text` (0..1)."""
    words = content_words(task)
    return len(words & content_words(text)) / len(words) if words else 0.0


def soften(text: str) -> str:
    """Swap refusal-triggering words for milder ones (case kept for the first letter)."""

    def swap(match: re.Match) -> str:
        word = match.group(0)
        new = SOFTER.get(word.lower())
        if new is None:
            return word
        return new[:1].upper() + new[1:] if word[:1].isupper() else new

    return _WORD.sub(swap, text)


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text
