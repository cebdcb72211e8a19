"""Step 3: judge every completion in a run store that a judge has not labelled yet.

Each batch of labels is committed as it is finished, so an interrupted evaluation resumes where it
stopped. Every label is stored with the judge's raw output and, where the judge truncated the
generation, the text it actually saw.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from harmbench.behaviors import Behavior
from harmbench.judges.base import Judge
from harmbench.pipeline.units import unit_done
from harmbench.store import Label, RunStore

log = logging.getLogger(__name__)


@dataclass
class EvaluateReport:
    labelled: dict[str, int]  # judge -> labels written
    skipped_unknown_behaviors: set[str]


def evaluate(store: RunStore, judges: Sequence[Judge], behaviors: Mapping[str, Behavior], *,
             max_new_tokens: int | None = None, batch_size: int = 64,
             progress: Callable[[str, int], None] | None = None) -> EvaluateReport:
    """Label the missing (completion, judge) pairs; `progress(judge_name, n_done)` after each batch."""
    report = EvaluateReport({j.name: 0 for j in judges}, set())
    groups = sorted({(c.method, c.experiment, c.model, c.max_new_tokens) for c in store.completions()
                     if max_new_tokens is None or c.max_new_tokens == max_new_tokens})
    for judge in judges:
        for method, experiment, model, tokens in groups:
            todo = store.missing_labels(method, experiment, model, tokens, judge=judge.name)
            known = [c for c in todo if c.behavior_id in behaviors]
            report.skipped_unknown_behaviors |= {c.behavior_id for c in todo if c.behavior_id not in behaviors}
            for start in range(0, len(known), batch_size):
                chunk = known[start:start + batch_size]
                verdicts = judge.judge([behaviors[c.behavior_id] for c in chunk], [c.generation for c in chunk])
                store.put_labels(Label(
                    method=c.method, experiment=c.experiment, model=c.model, behavior_id=c.behavior_id, idx=c.idx,
                    max_new_tokens=c.max_new_tokens, judge=judge.name, label=v.label, raw=v.raw,
                    judged_generation=v.judged_text) for c, v in zip(chunk, verdicts))
                unit_done("labels", judge.name, method, experiment, model, chunk[0].behavior_id, chunk[0].idx, len(chunk))
                report.labelled[judge.name] += len(chunk)
                if progress:
                    progress(judge.name, len(chunk))
    if report.skipped_unknown_behaviors:
        log.warning("skipped completions of %d behaviors absent from the behaviors dataset",
                    len(report.skipped_unknown_behaviors))
    identities = store.get_meta("judges", {}) or {}
    identities.update({j.name: j.identity() for j in judges})
    store.set_meta("judges", identities)
    return report
