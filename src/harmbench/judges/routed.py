"""`refusal_copyright`: upstream's step-3 routing with the refusal check in place of the 13B classifier.

Copyright behaviors go to the MinHash judge (as upstream always does); every other behavior to
upstream's early-stopping refusal check. It needs no GPU, so it is the embedded demo's primary
judge; it is a proxy for, not a replacement of, the HarmBench classifier.
"""

from __future__ import annotations

from collections.abc import Sequence

from harmbench.behaviors import Behavior
from harmbench.judges.base import Verdict, get_judge, register


@register("refusal_copyright")
class RefusalCopyrightJudge:
    name = "refusal_copyright"

    def __init__(self, data_dir=None):
        self._refusal = get_judge("refusal")
        self._data_dir = data_dir
        self._copyright = None

    def judge(self, behaviors: Sequence[Behavior], generations: Sequence[str]) -> list[Verdict]:
        out: list[Verdict | None] = [None] * len(generations)
        for wanted, judge_of in ((True, self._copyright_judge), (False, lambda: self._refusal)):
            idx = [i for i, b in enumerate(behaviors) if b.is_copyright == wanted]
            if idx:
                for i, v in zip(idx, judge_of().judge([behaviors[i] for i in idx], [generations[i] for i in idx])):
                    out[i] = v
        return out  # type: ignore[return-value]

    def _copyright_judge(self):
        if self._copyright is None:
            self._copyright = get_judge("copyright", data_dir=self._data_dir)
        return self._copyright

    def identity(self) -> dict:
        return {"judge": self.name, "refusal": self._refusal.identity(),
                "copyright": self._copyright_judge().identity()}
