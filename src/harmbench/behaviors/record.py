"""The `Behavior` record and how a behavior becomes the prompt a target sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

FUNCTIONAL_CATEGORIES = ("standard", "contextual", "copyright", "multimodal")
SEMANTIC_CATEGORIES = (
    "chemical_biological",
    "copyright",
    "cybercrime_intrusion",
    "harassment_bullying",
    "harmful",
    "illegal",
    "misinformation_disinformation",
)

# Upstream joins a contextual behavior's document and its instruction with this separator
# (ZeroShot alone uses five hyphens); see spec HARMBENCH.md §2.3.
CONTEXT_SEPARATOR = "\n\n---\n\n"


@dataclass(frozen=True)
class Behavior:
    """One row of a HarmBench behaviors file, with every upstream column and its optimizer target.

    Field names are snake_case versions of upstream's columns:
    Behavior -> behavior, BehaviorID -> behavior_id, ContextString -> context_string, ...
    """

    behavior_id: str
    behavior: str
    functional_category: str
    semantic_category: str | None = None
    tags: tuple[str, ...] = ()
    context_string: str = ""
    # Multimodal columns (empty for text behaviors).
    image_file_name: str = ""
    source: str = ""
    image_description: str = ""
    redacted_image_description: str = ""
    # Optimizer target ("Sure, here is ..."). Adversarial-training sets give several alternatives:
    # `targets` holds them all and `target` is the first.
    target: str | None = None
    targets: tuple[str, ...] = ()
    # Where the image lies, when the dataset knows its image folder.
    image_path: Path | None = field(default=None, compare=False)

    @property
    def is_contextual(self) -> bool:
        return self.functional_category == "contextual"

    @property
    def is_copyright(self) -> bool:
        return self.functional_category == "copyright"

    @property
    def is_multimodal(self) -> bool:
        return self.functional_category == "multimodal"

    @property
    def copyright_kind(self) -> str | None:
        """`"book"` or `"lyrics"` for copyright behaviors (from their tags), else None."""
        for kind in ("book", "lyrics"):
            if kind in self.tags:
                return kind
        return None

    def prompt(self, *, optimizer: bool = False, separator: str = CONTEXT_SEPARATOR) -> str:
        """The text a target model sees for this behavior, composed as upstream composes it.

        `optimizer=True` reproduces the token-optimisation methods (GCG, PEZ, ...), which append one
        space to the behavior before the context is prefixed.
        """
        return compose_prompt(self.behavior + (" " if optimizer else ""), self.context_string, separator)


def compose_prompt(text: str, context: str = "", separator: str = CONTEXT_SEPARATOR) -> str:
    """Prefix `context` (if any) to `text` with upstream's separator: context, blank line, ---, blank line."""
    return f"{context}{separator}{text}" if context else text
