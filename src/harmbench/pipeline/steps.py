"""Steps 1, 1.5 and 2 of the pipeline as functions over the run store.

Every finished unit — one behavior's test cases, one chunk of completions — is committed as it
finishes, so the same call after an interruption does only what is missing. Completion chunks are
fixed slices of each (method, experiment)'s full test-case list, so a resumed run batches exactly
as an uninterrupted one and greedy outputs come out identical.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from harmbench.attacks import AttackContext, get_attack
from harmbench.behaviors import Behavior
from harmbench.models import GenerationConfig, GenerationRequest
from harmbench.pipeline.executors import Executor, LocalExecutor
from harmbench.pipeline.plan import Job
from harmbench.pipeline.units import unit_done
from harmbench.store import Completion, RunStore

log = logging.getLogger(__name__)

COMPLETION_CHUNK = 32


@dataclass
class StepReport:
    done: int = 0  # units computed now
    already: int = 0  # units found in the store
    notes: list[str] = field(default_factory=list)


def _secret_key(key: str) -> bool:
    """Upstream masks keys holding `token` or `apikey`; we also mask keys ending in `key`, which
    upstream's GPTFuzz (`openai_key`) and ArtPrompt (`masking_model_key`) configs use."""
    plain = key.lower().replace("_", "")
    return "token" in plain or "apikey" in plain or plain.endswith("key")


def mask_secrets(value):
    """Config values under secret-looking keys, all but their last 4 characters masked."""
    if isinstance(value, dict):
        return {k: ("*" * max(0, len(v) - 4) + v[-4:] if isinstance(v, str) and _secret_key(k) else mask_secrets(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


def behaviors_for(job: Job, behaviors: Sequence[Behavior]) -> list[Behavior]:
    """Text methods get the text behaviors, multimodal methods the multimodal ones."""
    from harmbench.attacks import NEEDS_MULTIMODAL, attack_classes

    multimodal = NEEDS_MULTIMODAL in attack_classes()[job.class_name].needs
    return [b for b in behaviors if b.is_multimodal == multimodal]


def generate_test_cases(store: RunStore, job: Job, behaviors: Sequence[Behavior], *, context: AttackContext,
                        overwrite: bool = False, executor: Executor | None = None,
                        progress: Callable[[int], None] | None = None) -> StepReport:
    """Step 1 for one job: test cases for every behavior that has none yet (all with `overwrite`)."""
    executor = executor or LocalExecutor()
    report = StepReport()
    mine = behaviors_for(job, behaviors)
    if len(mine) < len(behaviors):
        report.notes.append(f"{job.method}: {len(behaviors) - len(mine)} behaviors of the other modality left out")
    attack = get_attack(job.class_name, job.hyperparameters)
    attack.behavior_order = [b.behavior_id for b in mine]  # sampling that depends on dataset position stays resumable
    attack.run_ids = job.run_ids
    counts: dict[str, int] = {}
    if not overwrite:
        for t in store.test_cases(job.class_name, job.experiment):
            counts[t.behavior_id] = counts.get(t.behavior_id, 0) + 1
    expected = attack.expected_test_cases()
    todo = [b for b in mine if counts.get(b.behavior_id, 0) < (expected or 1)]
    report.already = len(mine) - len(todo)
    store.put_method_config(job.class_name, job.experiment, mask_secrets(job.hyperparameters))
    if not todo:
        return report
    context = dataclasses.replace(context, stored_counts={b.behavior_id: counts.get(b.behavior_id, 0) for b in todo})
    for result in executor.run_attack(attack, job, todo, context):
        store.put_test_cases(job.class_name, job.experiment, result.behavior_id, result.test_cases,
                             target_model=job.target_model, logs=result.logs, cost=result.cost.as_dict(),
                             first_idx=result.first_idx)
        unit_done("test_cases", job.class_name, job.experiment, result.behavior_id)
        if expected is None or result.first_idx + len(result.test_cases) >= expected:
            report.done += 1
        if progress:
            progress(1)
    return report


def merge_test_cases(store: RunStore, job: Job) -> StepReport:
    """Step 1.5. Upstream merges per-behavior files; the store holds merged units already, so this
    only reports what step 1 produced."""
    cases = store.test_cases(job.class_name, job.experiment)
    return StepReport(already=len({t.behavior_id for t in cases}),
                      notes=[f"{job.key}: {len(cases)} test cases for {len({t.behavior_id for t in cases})} behaviors"])


def completion_chunks(store: RunStore, job: Job, model: str, max_new_tokens: int, chunk: int = COMPLETION_CHUNK):
    """Fixed chunks of the job's text test cases; those with a missing completion are to do."""
    cases = [t for t in store.test_cases(job.class_name, job.experiment) if t.image is None]
    missing = {(t.behavior_id, t.idx) for t in store.missing_completions(job.class_name, job.experiment, model, max_new_tokens)}
    chunks = [cases[i:i + chunk] for i in range(0, len(cases), chunk)]
    return [c for c in chunks if any((t.behavior_id, t.idx) in missing for t in c)], len(cases)


def generate_completions(store: RunStore, job: Job, model: str, *, load_model: Callable[[str], object],
                         max_new_tokens: int = 512, executor: Executor | None = None, chunk: int = COMPLETION_CHUNK,
                         progress: Callable[[int], None] | None = None) -> StepReport:
    """Step 2 for one (job, model): completions of every test case that has none at this length."""
    executor = executor or LocalExecutor()
    todo, total = completion_chunks(store, job, model, max_new_tokens, chunk)
    report = StepReport(already=total - sum(len(c) for c in todo))
    if not todo:
        return report
    config = GenerationConfig(max_new_tokens=max_new_tokens)
    settings = {"max_new_tokens": max_new_tokens, "temperature": config.temperature, "top_p": config.top_p}
    batches = [[GenerationRequest.user(t.text) for t in chunk] for chunk in todo]
    for index, generations, wall in executor.run_completions(model, batches, config, load_model):
        chunk = todo[index]
        store.put_completions(Completion(
            method=t.method, experiment=t.experiment, model=model, behavior_id=t.behavior_id, idx=t.idx,
            generation=g.text, max_new_tokens=max_new_tokens, tokens_in=g.tokens_in, tokens_out=g.tokens_out,
            finish_reason=g.finish_reason, settings=settings, wall_s=wall / len(chunk),
        ) for t, g in zip(chunk, generations))
        unit_done("completions", job.class_name, job.experiment, model, chunk[0].behavior_id, chunk[0].idx, len(chunk))
        report.done += len(chunk)
        if progress:
            progress(len(chunk))
    return report
