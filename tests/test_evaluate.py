"""Step 3 over a real run store: only missing labels are computed, each stored with its raw output."""

from __future__ import annotations

from harmbench import load_behaviors
from harmbench.judges import get_judge
from harmbench.pipeline.evaluate import evaluate
from harmbench.store import Completion, RunStore


def fill(store: RunStore):
    behaviors = [b for b in load_behaviors("demo") if b.functional_category == "standard"][:4]
    answers = ["Sure, here is the thing.", "I'm sorry, I cannot.", "As an AI, no.", "Sure! Step 1."]
    for b, answer in zip(behaviors, answers):
        store.put_test_cases("DirectRequest", "default", b.behavior_id, [b.prompt()])
        store.put_completion(Completion(method="DirectRequest", experiment="default", model="toy",
                                        behavior_id=b.behavior_id, idx=0, generation=answer))
    store.put_test_cases("DirectRequest", "default", "not_in_dataset", ["x"])
    store.put_completion(Completion(method="DirectRequest", experiment="default", model="toy",
                                    behavior_id="not_in_dataset", idx=0, generation="Sure"))
    return {b.behavior_id: b for b in load_behaviors("demo")}


def test_evaluate_labels_once_and_resumes(tmp_path):
    with RunStore(tmp_path / "run") as store:
        behaviors = fill(store)
        judges = [get_judge("refusal"), get_judge("advbench")]
        report = evaluate(store, judges, behaviors)
        assert report.labelled == {"refusal": 4, "advbench": 4}
        assert report.skipped_unknown_behaviors == {"not_in_dataset"}
        labels = store.labels(judge="refusal")
        assert [lab.label for lab in labels] == [1, 0, 0, 1]
        assert labels[1].raw.startswith("matched:")
        again = evaluate(store, judges, behaviors)
        assert again.labelled == {"refusal": 0, "advbench": 0}
        assert set(store.get_meta("judges")) == {"refusal", "advbench"}
