"""GPTFuzz (spec §4.16): MCTS-Explore, the mutation operators, the lockstep fuzz loop, the judges, seeds, config."""

from __future__ import annotations

import csv
import json
import math
import random

import pytest

from harmbench.attacks import AttackContext, attack_classes, get_attack, gptfuzz
from harmbench.attacks.gptfuzz import load_seed_templates
from harmbench.attacks.llm.models import model_spec
from harmbench.attacks.gptfuzz_search import (
    MUTATOR_SYSTEM,
    OPENINGS,
    OPERATORS,
    PLACEHOLDER,
    MCTSExplore,
    Node,
    fill,
    mutant,
)
from harmbench.behaviors import load_behaviors
from harmbench.config import load_configs
from harmbench.errors import ConfigError, DataError
from harmbench.models.base import Generation, GenerationConfig, GenerationRequest, Message
from harmbench.store import RunStore
from tests.conftest import run_cli

OPS = {op.name: op for op in OPERATORS}
SEEDS = [f"Seed one asks: {PLACEHOLDER}", f"Seed two wonders: {PLACEHOLDER} Thanks!"]


@pytest.fixture(scope="module")
def text_behaviors():
    return [b for b in load_behaviors("demo") if not b.is_multimodal]


class Stub:
    """A mutator or target answering `fn(last message)`; records each call's batch size."""

    def __init__(self, fn, name="stub"):
        self.fn, self.name, self.calls = fn, name, []

    def generate(self, requests, config):
        self.calls.append(len(requests))
        return [Generation(self.fn(r.messages[-1].content), tokens_in=5, tokens_out=2) for r in requests]

    def close(self):
        pass


class CountingJudge(gptfuzz.RefusalJudge):
    def __init__(self):
        self.calls = []

    def __call__(self, responses):
        self.calls.append(len(responses))
        return super().__call__(responses)


def keep(request: str) -> str:
    """A mutator that keeps the placeholder (its reply is a fixed rewrite)."""
    return f"Rewritten: {PLACEHOLDER}"


def refuse_unless(word: str):
    return lambda prompt: "Sure, here it is." if word in prompt else "I'm sorry, I cannot help."


def fuzz(behaviors, mutator, target, monkeypatch, seed=0, **hyper):
    judge = CountingJudge()
    monkeypatch.setattr(gptfuzz, "load_judge", lambda name, device=None: judge)
    models = {"mut": mutator, "tgt": target}
    load = lambda spec: models[spec if isinstance(spec, str) else spec["model_name_or_path"]]
    attack = get_attack("GPTFuzz", {"target_model": "tgt", "mutate_model_path": "mut", "seed_templates_path": "demo",
                                    **hyper})
    monkeypatch.setattr(gptfuzz, "load_seed_templates", lambda spec, data_dir=None: list(SEEDS))
    results = {r.behavior_id: r for r in attack.generate(behaviors, AttackContext(load_model=load, seed=seed))}
    return results, judge


# ---------------------------------------------------------------------------- MCTS-Explore


class FixedRng:
    """`random()` returns the given values in turn."""

    def __init__(self, *values):
        self.values = list(values)

    def random(self):
        return self.values.pop(0)


def uct(node, step, ratio=0.5):
    return node.reward / (node.visits + 1) + ratio * math.sqrt(2 * math.log(step) / (node.visits + 0.01))


def test_mcts_first_selections_visit_each_seed_in_order():
    roots = [Node(f"t{i}") for i in range(4)]
    selector = MCTSExplore(roots, random.Random(0))
    assert [selector.select() for _ in range(4)] == roots  # step 1: all scores 0, ties to the first
    assert [r.visits for r in roots] == [1, 1, 1, 1]


def test_mcts_uct_weighs_reward_against_exploration():
    a, b = Node("a", visits=3, reward=2.0), Node("b", visits=1)
    selector = MCTSExplore([a, b], random.Random(0))
    selector.step = 9  # the next selection is step 10
    assert uct(a, 10) > uct(b, 10) and selector.select() is a
    a.reward, a.visits, b.visits, selector.step = 1.0, 3, 1, 9
    assert uct(a, 10) < uct(b, 10) and selector.select() is b


def tree():
    root, other = Node("root", visits=5, reward=5.0), Node("other", visits=5)
    good, bad = root.child("good"), root.child("bad")
    good.visits, good.reward, bad.visits = 2, 2.0, 2
    leaf = good.child("leaf")
    leaf.visits = 1
    return root, other, good, bad, leaf


def test_mcts_descends_to_the_best_child_unless_it_stops_early():
    root, other, good, bad, leaf = tree()
    selector = MCTSExplore([root, other], FixedRng(0.5, 0.5))
    assert selector.select() is leaf and selector.path == [root, good, leaf]
    assert (root.visits, good.visits, leaf.visits, bad.visits, other.visits) == (6, 3, 2, 2, 5)
    root, other, good, bad, leaf = tree()
    assert MCTSExplore([root, other], FixedRng(0.05)).select() is root  # below 0.1: stop at the root
    root, other, good, bad, leaf = tree()
    assert MCTSExplore([root, other], FixedRng(0.5, 0.09)).select() is good


def test_mcts_early_stop_rate_with_a_seeded_rng():
    root = Node("root")
    root.child("kid")
    selector = MCTSExplore([root], random.Random(1))
    stops = sum(selector.select() is root for _ in range(2000))
    assert 140 <= stops <= 260  # 10 % of 2000, give or take


def test_mcts_reward_goes_to_the_whole_path_with_a_level_penalty_and_floor():
    root, other, good, bad, leaf = tree()
    selector = MCTSExplore([root, other], FixedRng(0.5, 0.5))
    selector.select()
    before = (root.reward, good.reward, leaf.reward, bad.reward, other.reward)
    selector.update(1, 2)  # half the mutants won; the selected node is at level 2: x0.8
    gained = [after - b for after, b in zip((root.reward, good.reward, leaf.reward, bad.reward, other.reward), before)]
    assert gained == pytest.approx([0.4, 0.4, 0.4, 0, 0])
    chain = [Node("n0")]
    for i in range(1, 10):
        chain.append(chain[-1].child(f"n{i}"))
    deep = MCTSExplore(chain[:1], random.Random(0), early_stop=0.0)
    assert deep.select() is chain[9] and chain[9].level == 9
    deep.update(1, 1)
    assert [n.reward for n in chain] == pytest.approx([0.2] * 10)  # 1 - 0.9 = 0.1 is below the floor of 0.2
    deep.update(0, 1)
    assert [n.reward for n in chain] == pytest.approx([0.2] * 10)


# ---------------------------------------------------------------------------- mutation operators


@pytest.mark.parametrize("name", ["Expand", "GenerateSimilar", "Rephrase", "Shorten"])
def test_single_template_operators_show_the_selected_template(name):
    prompt = OPS[name].prompt(SEEDS[1], [Node(SEEDS[0])], random.Random(0))
    assert prompt.startswith(OPENINGS[name]) and SEEDS[1] in prompt and SEEDS[0] not in prompt
    asks_to_keep = prompt.count(PLACEHOLDER) - SEEDS[1].count(PLACEHOLDER)
    assert asks_to_keep == 0 if name == "Expand" else asks_to_keep >= 2


def test_crossover_shows_the_selected_and_a_random_pool_template():
    pool = [Node(f"Pool template {i}: {PLACEHOLDER}") for i in range(5)]
    rng = random.Random(3)
    partner = random.Random(3).choice(pool).template
    prompt = OPS["CrossOver"].prompt(SEEDS[0], pool, rng)
    assert prompt.startswith(OPENINGS["CrossOver"]) and "100 words" in prompt
    assert prompt.index(SEEDS[0]) < prompt.index(partner)
    assert sum(p.template in prompt for p in pool) == 1


def test_mutant_concatenates_the_parent_and_rejects_lost_placeholders():
    parent = SEEDS[0]
    assert mutant(OPS["Rephrase"], "  New words, no slot.  ", parent, True) == f"New words, no slot.\n{parent}"
    assert mutant(OPS["Rephrase"], "New words, no slot.", parent, False) is None
    assert mutant(OPS["Shorten"], f"Short: {PLACEHOLDER}", parent, False) == f"Short: {PLACEHOLDER}"
    assert mutant(OPS["GenerateSimilar"], "   ", parent, True) is None  # an empty reply is never sent
    # Expand puts its sentences in front of the parent once, with or without concatenation.
    for concatenate in (True, False):
        assert mutant(OPS["Expand"], "One. Two. Three.", parent, concatenate) == f"One. Two. Three. {parent}"
    echoed = f"----- start of template -----\nEcho {PLACEHOLDER}\n----- end of template -----"
    assert mutant(OPS["Rephrase"], echoed, parent, False) == f"Echo {PLACEHOLDER}"
    assert fill(f"{PLACEHOLDER} and {PLACEHOLDER}", "Q") == "Q and Q"


def test_standin_mutator_plays_every_operator():
    from harmbench.models.standin import UNCLAIMED, StandInLLM

    llm, pool = StandInLLM(), [Node(SEEDS[0]), Node(SEEDS[1])]
    rng = random.Random(0)
    for op in OPERATORS:
        replies = []
        for seed in range(20):
            request = GenerationRequest.chat([Message("system", MUTATOR_SYSTEM),
                                              Message("user", op.prompt(SEEDS[1], pool, rng))])
            replies.append(llm.generate([request], GenerationConfig(seed=seed))[0].text)
        assert all(r and r != UNCLAIMED for r in replies), op.name
        kept = sum(PLACEHOLDER in r for r in replies)
        assert kept == 0 if op.name == "Expand" else 12 <= kept <= 20, op.name  # the stand-in forgets it now and then


# ---------------------------------------------------------------------------- the fuzz loop


def test_stops_at_max_iteration_and_logs_every_iteration(text_behaviors, monkeypatch):
    b = text_behaviors[0]
    results, _ = fuzz([b], Stub(keep), Stub(refuse_unless("NEVER")), monkeypatch, max_iteration=3)
    r = results[b.behavior_id]
    (logs,) = r.logs
    assert len(logs) == 3 and all(entry["loss"] == 0 and entry["jailbroken"] is False for entry in logs)
    assert {entry["operator"] for entry in logs} <= {op.name for op in OPERATORS}
    assert all(entry["test_case"].startswith(f"Rewritten: {b.prompt(optimizer=True)}\n") for entry in logs)
    assert r.cost.api_calls == 6 and r.cost.tokens_in == 30 and r.cost.forward_passes == 0
    assert len(r.test_cases) == 1 and r.test_cases[0] == logs[-1]["test_case"]  # flat, not nested


def test_stops_at_max_jailbreak_and_successes_join_the_tree(text_behaviors, monkeypatch):
    b = text_behaviors[0]
    attack = get_attack("GPTFuzz", {"target_model": "tgt", "mutate_model_path": "mut", "max_jailbreak": 2})
    f = attack.new_fuzz(b, SEEDS, run_seed=0)
    (done,) = attack.run([f], Stub(keep), Stub(refuse_unless("Rewritten")), gptfuzz.RefusalJudge(), 0)
    assert done is f and (f.iterations, f.jailbreaks, f.queries) == (2, 2, 2)
    # Each win became a child of the seed it came from (the 2nd selection explored the unvisited seed).
    assert [n.parent for n in f.pool[2:]] == f.pool[:2] and all(n.level == 1 for n in f.pool[2:])
    assert f.pool[2].template == f"Rewritten: {PLACEHOLDER}\n{SEEDS[0]}" and f.pool[0].reward == pytest.approx(1.0)
    assert [e["jailbroken"] for e in f.logs] == [True, True]
    assert f.test_case() == fill(f.pool[3].template, b.prompt(optimizer=True))


def test_max_query_counts_only_templates_sent_to_the_target(text_behaviors, monkeypatch):
    replies = iter([f"Kept {PLACEHOLDER}" if i % 2 else "Lost the slot" for i in range(20)])
    b = text_behaviors[1]
    target = Stub(refuse_unless("NEVER"))
    # Expand's reply goes in front of the parent, which has the placeholder: leave it out here.
    monkeypatch.setattr(gptfuzz, "OPERATORS", tuple(op for op in OPERATORS if op.name != "Expand"))
    results, _ = fuzz([b], Stub(lambda _: next(replies)), target, monkeypatch, max_query=2, concatenate=False)
    (logs,) = results[b.behavior_id].logs
    assert [entry["test_case"] is None for entry in logs] == [True, False, True, False]
    assert target.calls == [1, 1]  # the rejected mutants were never sent
    assert results[b.behavior_id].test_cases == [f"Kept {b.prompt(optimizer=True)}"]


def test_energy_makes_several_mutants_per_iteration(text_behaviors, monkeypatch):
    b = text_behaviors[0]
    mutator, target = Stub(keep), Stub(refuse_unless("NEVER"))
    results, _ = fuzz([b], mutator, target, monkeypatch, max_query=3, energy=2)
    assert mutator.calls == [2, 2] and target.calls == [2, 2]
    assert len(results[b.behavior_id].logs[0]) == 4


def test_no_valid_mutant_falls_back_to_the_selected_seed(text_behaviors, monkeypatch):
    b = text_behaviors[0]
    monkeypatch.setattr(gptfuzz, "OPERATORS", tuple(op for op in OPERATORS if op.name != "Expand"))
    results, _ = fuzz([b], Stub(lambda _: "nothing"), Stub(refuse_unless("NEVER")), monkeypatch,
                      max_iteration=2, concatenate=False)
    assert results[b.behavior_id].test_cases == [fill(SEEDS[1], b.prompt(optimizer=True))]  # the 2nd selection


def test_lockstep_one_call_per_role_per_iteration(text_behaviors, monkeypatch):
    chunk = text_behaviors[:3]
    mutator, target = Stub(keep), Stub(refuse_unless(chunk[1].behavior))  # only the 2nd behavior succeeds
    results, judge = fuzz(chunk, mutator, target, monkeypatch, max_iteration=3)
    assert mutator.calls == [3, 2, 2] and target.calls == [3, 2, 2] and judge.calls == [3, 2, 2]
    assert [len(results[b.behavior_id].logs[0]) for b in chunk] == [3, 1, 3]
    assert [results[b.behavior_id].cost.api_calls for b in chunk] == [6, 2, 6]
    mutator, target = Stub(keep), Stub(refuse_unless("NEVER"))
    fuzz(chunk, mutator, target, monkeypatch, max_iteration=2, behaviors_per_call=2)
    assert mutator.calls == [2, 2, 1, 1]  # chunks of 2 then 1


def test_contextual_behavior_goes_into_the_placeholder_after_its_context(text_behaviors, monkeypatch):
    b = next(x for x in text_behaviors if x.is_contextual)
    results, _ = fuzz([b], Stub(keep), Stub(refuse_unless("NEVER")), monkeypatch, max_iteration=1)
    assert results[b.behavior_id].test_cases[0].startswith(f"Rewritten: {b.context_string}\n\n---\n\n{b.behavior} ")


def test_standin_fuzz_is_seeded_per_behavior_not_per_chunk(text_behaviors):
    from harmbench.pipeline.run import ModelCache

    behaviors = text_behaviors[:3]
    hyper = {"target_model": "tgt", "mutate_model_path": "standin", "judge_model": "refusal",
             "seed_templates_path": "demo", "max_iteration": 3}
    cache = ModelCache(None)
    load = lambda spec: Stub(refuse_unless("NEVER")) if spec == "tgt" else cache(spec)

    def run(chunk, seed):
        attack = get_attack("GPTFuzz", hyper)
        return {r.behavior_id: r.logs for r in attack.generate(chunk, AttackContext(load_model=load, seed=seed))}

    together = run(behaviors, 0)
    assert run(behaviors[1:2], 0)[behaviors[1].behavior_id] == together[behaviors[1].behavior_id]
    assert run(behaviors[1:2], 1)[behaviors[1].behavior_id] != together[behaviors[1].behavior_id]


# ---------------------------------------------------------------------------- judges


def make_tiny_roberta(path, favour: int):
    """A randomly initialised RoBERTa classifier whose output bias makes class `favour` win."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, RobertaConfig, RobertaForSequenceClassification

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    tok.train_from_iterator(["Sure, here is how.", "I'm sorry, I cannot help with that."] * 10,
                            trainers.BpeTrainer(vocab_size=120, special_tokens=specials,
                                                initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                   pad_token="<pad>")
    fast.save_pretrained(path)
    torch.manual_seed(0)
    config = RobertaConfig(vocab_size=len(fast), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                           intermediate_size=32, max_position_embeddings=514, pad_token_id=1, num_labels=2)
    model = RobertaForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.out_proj.bias.copy_(torch.tensor([0.0, 50.0]) if favour else torch.tensor([50.0, 0.0]))
    model.save_pretrained(path)
    return path


@pytest.mark.slow  # the first transformers import is most of it
def test_roberta_judge_class_one_means_jailbroken_and_truncates(tmp_path):
    pytest.importorskip("transformers")
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        long = "Sure, here is how. " * 400  # far beyond 512 tokens: fails unless truncated
        yes = gptfuzz.load_judge(str(make_tiny_roberta(tmp_path / "yes", 1)), "cpu")
        no = gptfuzz.load_judge(str(make_tiny_roberta(tmp_path / "no", 0)), "cpu")
        assert isinstance(yes, gptfuzz.RobertaJudge) and yes.counts_passes
        assert yes(["I'm sorry.", long, "ok"]) == [True, True, True]
        assert no(["I'm sorry.", long]) == [False, False]
        inputs = yes.tokenizer([long], truncation=True, max_length=gptfuzz.JUDGE_MAX_LENGTH)
        assert len(inputs["input_ids"][0]) == 512
    finally:
        torch.set_num_threads(threads)


def test_roberta_judge_passes_are_counted(tmp_path, text_behaviors, monkeypatch):
    pytest.importorskip("transformers")
    path = str(make_tiny_roberta(tmp_path / "judge", 0))
    b = text_behaviors[0]
    monkeypatch.setattr(gptfuzz, "load_seed_templates", lambda spec, data_dir=None: list(SEEDS))
    models = {"mut": Stub(keep), "tgt": Stub(refuse_unless("NEVER"))}
    load = lambda spec: models[spec if isinstance(spec, str) else spec["model_name_or_path"]]
    attack = get_attack("GPTFuzz", {"target_model": "tgt", "mutate_model_path": "mut", "judge_model": path,
                                    "judge_device": "cpu", "max_iteration": 2})
    (r,) = attack.generate([b], AttackContext(load_model=load))
    assert r.cost.forward_passes == 2 and r.cost.api_calls == 4


def test_refusal_judge_and_missing_classifier(tmp_path):
    judge = gptfuzz.load_judge("refusal")
    assert judge(["Sure, here you go.", "I'm sorry, no."]) == [True, False] and not judge.counts_passes
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="judge_model: refusal"):
        gptfuzz.load_judge(str(tmp_path / "empty"), "cpu")


# ---------------------------------------------------------------------------- seeds, hyperparameters, config


def test_seed_templates_from_csv_json_demo_and_the_data_dir(tmp_path):
    path = tmp_path / "GPTFuzzer.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text"])
        writer.writerow([0, f"Line one,\nline two: {PLACEHOLDER}"])
        writer.writerow([1, f"Another {PLACEHOLDER}"])
    assert load_seed_templates(str(path)) == [f"Line one,\nline two: {PLACEHOLDER}", f"Another {PLACEHOLDER}"]
    (tmp_path / "seeds.json").write_text(json.dumps(SEEDS))
    assert load_seed_templates(str(tmp_path / "seeds.json")) == SEEDS
    demo = load_seed_templates("demo")
    assert 5 <= len(demo) <= 8 and all(PLACEHOLDER in t for t in demo)
    data = tmp_path / "data"
    (data / "gptfuzz").mkdir(parents=True)
    (data / "gptfuzz" / "GPTFuzzer.csv").write_bytes(path.read_bytes())
    assert len(load_seed_templates("baselines/gptfuzz/GPTFuzzer.csv", data)) == 2  # upstream's path, our data dir


def test_seed_templates_bad_input(tmp_path):
    (tmp_path / "no_slot.json").write_text(json.dumps([f"ok {PLACEHOLDER}", "no placeholder here"]))
    with pytest.raises(DataError, match=r"1 of 2 seed templates lack the placeholder"):
        load_seed_templates(str(tmp_path / "no_slot.json"))
    (tmp_path / "cols.csv").write_text("id,prompt\n0,hello\n")
    with pytest.raises(DataError, match="`text` column"):
        load_seed_templates(str(tmp_path / "cols.csv"))
    with pytest.raises(DataError, match="GPTFuzzer.csv") as err:
        load_seed_templates("nowhere/GPTFuzzer.csv", tmp_path)
    assert "baselines/gptfuzz" in err.value.hint
    (tmp_path / "empty.json").write_text("[]")
    with pytest.raises(DataError, match="non-empty list"):
        load_seed_templates(str(tmp_path / "empty.json"))


@pytest.mark.parametrize("key,value", [("max_query", 0), ("max_iteration", "ten"), ("energy", -1),
                                       ("max_new_tokens", 0), ("concatenate", "yes"), ("behaviors_per_call", 0),
                                       ("judge_model", "")])
def test_bad_hyperparameters(key, value):
    with pytest.raises(ConfigError, match=key):
        get_attack("GPTFuzz", {"target_model": "toy", key: value})


def test_unbounded_fuzz_and_missing_models_are_refused():
    with pytest.raises(ConfigError, match="never end"):
        get_attack("GPTFuzz", {"target_model": "toy", "max_query": -1, "max_iteration": -1})
    get_attack("GPTFuzz", {"target_model": "toy", "max_query": -1, "max_jailbreak": -1})  # -1: no limit
    with pytest.raises(ConfigError, match="target_model"):
        get_attack("GPTFuzz", {})
    with pytest.raises(ConfigError, match="mutate_model_path"):
        get_attack("GPTFuzz", {"target_model": "toy", "mutate_model_path": None})


def test_registered_with_upstream_defaults_and_mutator_names():
    cls = attack_classes()["GPTFuzz"]
    attack = cls(target_model="toy")
    assert (attack.max_query, attack.max_jailbreak, attack.max_iteration, attack.energy, attack.max_new_tokens) == (
        1000, 1, 100, 1, 512)
    assert attack.mutate_model == "gpt-3.5-turbo" and attack.judge_model == "hubert233/GPTFuzz"
    assert attack.seeds == "baselines/gptfuzz/GPTFuzzer.csv" and attack.expected_test_cases() == 1
    assert model_spec("gpt-3.5-turbo") == {"model_name_or_path": "gpt-3.5-turbo"}  # not in models.yaml: hosted
    assert model_spec("standin") == "standin"


def test_config_toy_experiment_and_upstream_agreement(shared_configs):
    ours, upstream = load_configs(None), load_configs(shared_configs)
    toy = ours.method("GPTFuzz").resolve("toy", ours.models).hyperparameters
    assert toy["target_model"]["model_name_or_path"] == "builtin:toy-chat"
    assert (toy["mutate_model_path"], toy["judge_model"], toy["seed_templates_path"]) == ("standin", "refusal", "demo")
    theirs, skipped = upstream.method("GPTFuzz").all_experiments(upstream.models)
    assert len(theirs) >= 20 and "gpt-4-0613" in dict(skipped)  # API models have no num_gpus: open-source only
    assert "gpt-4-0613" in dict(ours.method("GPTFuzz").all_experiments(ours.models)[1])
    for name, experiment in theirs.items():  # models.yaml entries differ (API tokens, ...): compare the rest
        mine = dict(ours.method("GPTFuzz").resolve(name, ours.models).hyperparameters)
        assert mine.pop("target_model") and mine == {k: v for k, v in experiment.hyperparameters.items()
                                                     if k != "target_model"}, name


# ---------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_gptfuzz_toy_cli_end_to_end_with_standin_mutator(tmp_path):
    ids = ["rotten_egg_stink_bomb_sibling_prank", "newsletter_bake_sale_false_cancellation"]
    result = run_cli("run", "--methods", "GPTFuzz:toy", "--models", "toy", "--behavior-ids", ",".join(ids),
                     "--max-new-tokens", "8", "--judge", "refusal", "--threads", "1", "--run-dir",
                     str(tmp_path / "run"), "--no-report", env={"OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr
    with RunStore(tmp_path / "run") as store:
        cases = store.test_cases(method="GPTFuzz")
        assert sorted(c.behavior_id for c in cases) == sorted(ids)
        costs = store.test_case_costs()
        logs = store.behavior_logs("GPTFuzz", "toy")
        for case in cases:
            behavior_logs = logs[case.behavior_id][0]
            assert 1 <= len(behavior_logs) <= 8
            assert costs[("GPTFuzz", "toy", case.behavior_id)]["api_calls"] >= 2 * sum(
                e["test_case"] is not None for e in behavior_logs)
            assert "[stand-in LLM" not in case.text and PLACEHOLDER not in case.text
        assert len(store.completions()) == 2
