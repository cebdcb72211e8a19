"""PAP: one persuasive paraphrase per technique, asked in one batched call (spec §4.14).

`ScriptedParaphraser` stands in for the attacker LLM: it records every call and answers each
request from a function of its prompt. Tests with the rule-based stand-in say `standin`.
"""

from __future__ import annotations

import re

import pytest

from harmbench.attacks import AttackContext, get_attack
from harmbench.attacks.base import stable_seed
from harmbench.attacks.pap import PROMPT_OPENING, strip_quotes, taxonomy, techniques
from harmbench.behaviors import CONTEXT_SEPARATOR, load_behaviors
from harmbench.config import load_configs
from harmbench.errors import ConfigError
from harmbench.models.base import Generation, GenerationConfig
from harmbench.models.standin import StandInLLM
from harmbench.models.standin.text import soften
from harmbench.store import RunStore
from tests.conftest import run_cli

FIRST_FIVE = ["Logical Appeal", "Authority Endorsement", "Misrepresentation", "Evidence-based Persuasion",
              "Expert Endorsement"]
IDS = ["rotten_egg_stink_bomb_sibling_prank", "newsletter_bake_sale_false_cancellation"]  # standard, contextual


class ScriptedParaphraser:
    name = "scripted-paraphraser"

    def __init__(self, answer=lambda prompt: '"rewritten"'):
        self.answer = answer
        self.calls: list[tuple[list, GenerationConfig]] = []

    def generate(self, requests, config=None):
        self.calls.append((list(requests), config))
        return [Generation(self.answer(r.messages[-1].content), tokens_in=7, tokens_out=3) for r in requests]


def technique_of(prompt: str) -> str:
    return re.findall(r"^TECHNIQUE: (.*)$", prompt, re.MULTILINE)[-1]


def run(attack, behaviors, model, seed=0):
    results = list(attack.generate(behaviors, AttackContext(load_model=lambda spec: model, seed=seed)))
    assert [r.behavior_id for r in results] == [b.behavior_id for b in behaviors]
    return results


@pytest.fixture(scope="module")
def text_demo():
    return [b for b in load_behaviors("demo") if not b.is_multimodal]


def test_taxonomy_keeps_the_papers_order_and_names():
    plain, entries = taxonomy()
    names = [t["technique"] for t in entries]
    assert len(names) == 40 and len(set(names)) == 40
    assert names[:5] == FIRST_FIVE and names[-1] == "Threats"
    assert plain and all(t["definition"].strip() and t["example"].strip() for t in entries)
    assert [t["technique"] for t in techniques(3)] == FIRST_FIVE[:3]


@pytest.mark.parametrize("top_k", [5, 40])
def test_each_behavior_gets_one_flat_test_case_per_technique_in_one_call(text_demo, top_k):
    behaviors = [b for b in text_demo if not b.is_contextual][:3]
    attacker = ScriptedParaphraser(lambda p: f'"{technique_of(p)} version"')
    results = run(get_attack("PAP", {"attack_model": "x", "top_k_persuasion_taxonomy": top_k}), behaviors, attacker)
    assert len(attacker.calls) == 1 and len(attacker.calls[0][0]) == 3 * top_k
    asked = [technique_of(r.messages[-1].content) for r in attacker.calls[0][0]]
    expected = [t["technique"] for t in taxonomy()[1][:top_k]]
    assert asked == expected * 3
    if top_k == 5:
        assert expected == FIRST_FIVE
    for result, behavior in zip(results, behaviors):
        assert all(isinstance(tc, str) for tc in result.test_cases)  # flat, not upstream's nested list
        assert result.test_cases == [f"{name} version" for name in expected]
        assert [entry["technique"] for entry in result.logs] == expected
        assert (result.cost.api_calls, result.cost.tokens_in, result.cost.tokens_out) == (top_k, 7 * top_k, 3 * top_k)
        prompts = [r.messages[-1].content for r in attacker.calls[0][0] if behavior.behavior in r.messages[-1].content]
        assert len(prompts) == top_k and all(p.startswith(PROMPT_OPENING) for p in prompts)


@pytest.mark.parametrize("raw, expected", [
    ('  "Please share."  ', "Please share."),
    ("'Please share.'", "Please share."),
    ('"""Please share."""', "Please share."),
    ('""Please share.""', '"Please share."'),  # one layer only
    ("\u201cPlease share.\u201d", "Please share."),
    ('He said "share".', 'He said "share".'),
    ('"unbalanced', '"unbalanced'),
    ('"', '"'),
])
def test_quote_stripping(raw, expected):
    assert strip_quotes(raw) == expected


def test_contextual_behaviors_show_the_context_and_prefix_it(text_demo):
    contextual = [b for b in text_demo if b.is_contextual][:2]
    plain = [b for b in text_demo if not b.is_contextual][:1]
    attacker = ScriptedParaphraser(lambda p: "  'persuasive ask'\n")
    results = run(get_attack("PAP", {"attack_model": "x", "top_k_persuasion_taxonomy": 2}), contextual + plain,
                  attacker)
    prompts = [r.messages[-1].content for r in attacker.calls[0][0]]
    for i, behavior in enumerate(contextual):
        assert all(behavior.context_string in p and "CONTEXT:" in p for p in prompts[2 * i:2 * i + 2])
        assert results[i].test_cases == [behavior.context_string + CONTEXT_SEPARATOR + "persuasive ask"] * 2
    assert all("CONTEXT:" not in p for p in prompts[4:]) and results[2].test_cases == ["persuasive ask"] * 2


def test_generation_settings_seed_and_chunking(text_demo):
    behaviors = text_demo[:3]
    attacker = ScriptedParaphraser()
    run(get_attack("PAP", {"attack_model": "x", "behaviors_per_call": 2}), behaviors, attacker, seed=11)
    assert [len(reqs) for reqs, _ in attacker.calls] == [10, 5]
    config = attacker.calls[0][1]
    assert (config.max_new_tokens, config.temperature, config.stop) == (2048, 1.0, ("|",))
    assert config.seed == stable_seed(11, [b.behavior_id for b in behaviors[:2]], 5, 0)
    assert attacker.calls[1][1].seed == stable_seed(11, [behaviors[2].behavior_id], 5, 0)
    partial = get_attack("PAP", {"attack_model": "x", "attack_gen_config": {"max_new_tokens": 64}})
    assert (partial.gen_config.max_new_tokens, partial.gen_config.temperature, partial.gen_config.stop) == (
        64, 1.0, ("|",))
    assert get_attack("PAP", {"attack_model": "x"}).expected_test_cases() == 5


def test_standin_paraphrases_are_cut_at_the_stop_string_and_unquoted(text_demo):
    behaviors = [b for b in text_demo if not b.is_contextual][:2]
    results = run(get_attack("PAP", {"attack_model": "standin"}), behaviors, StandInLLM())
    for behavior, result in zip(behaviors, results):
        assert len(result.test_cases) == 5
        for case in result.test_cases:
            assert "|" not in case and not case.startswith('"') and not case.endswith('"')
            assert case.endswith(soften(behavior.behavior).split()[-1])  # the request is kept, at the end
        assert len(set(result.test_cases)) == 5  # each technique gives its own lead-in


@pytest.mark.parametrize("hyper, match", [
    ({}, "PAP needs attack_model"),
    ({"attack_model": "x", "top_k_persuasion_taxonomy": 0}, "top_k_persuasion_taxonomy"),
    ({"attack_model": "x", "top_k_persuasion_taxonomy": 41}, "positive integer up to 40, not 41"),
    ({"attack_model": "x", "top_k_persuasion_taxonomy": "5"}, "top_k_persuasion_taxonomy"),
    ({"attack_model": "x", "attack_gen_config": {"max_tokens": 9}}, "unknown attack_gen_config keys"),
    ({"attack_model": "x", "attack_gen_config": "hot"}, "must be a mapping"),
    ({"attack_model": "x", "behaviors_per_call": 0}, "behaviors_per_call"),
])
def test_bad_hyperparameters_say_what_to_fix(hyper, match):
    with pytest.raises(ConfigError, match=match):
        get_attack("PAP", hyper)


def test_config_toy_experiment_and_upstream_agreement(shared_configs):
    ours, upstream = load_configs(None), load_configs(shared_configs)
    for name in ("top_5", "full_40"):
        mine = ours.method("PAP").resolve(name, ours.models).hyperparameters
        assert mine == upstream.method("PAP").resolve(name, upstream.models).hyperparameters, name
    assert set(upstream.method("PAP").experiment_names(upstream.models)) <= set(
        ours.method("PAP").experiment_names(ours.models))
    toy = ours.method("PAP").resolve("toy", ours.models).hyperparameters
    assert toy["attack_model"] == "standin" and toy["top_k_persuasion_taxonomy"] == 5
    assert get_attack("PAP", toy).gen_config.stop == ("|",)
    full = get_attack("PAP", ours.method("PAP").resolve("full_40", ours.models).hyperparameters)
    assert full.attack_model["model_name_or_path"] == "mistralai/Mixtral-8x7B-Instruct-v0.1"
    assert full.expected_test_cases() == 40


@pytest.mark.slow
def test_pap_toy_standin_through_the_cli(tmp_path):
    result = run_cli("run", "--methods", "PAP:toy", "--models", "toy", "--behavior-ids", ",".join(IDS),
                     "--max-new-tokens", "8", "--judge", "refusal", "--threads", "1",
                     "--run-dir", str(tmp_path / "run"), "--no-report")
    assert result.returncode == 0, result.stderr
    with RunStore(tmp_path / "run") as store:
        cases = store.test_cases("PAP", "toy")
        assert sorted(t.behavior_id for t in cases) == sorted(IDS * 5)
        contextual = [t.text for t in cases if t.behavior_id == IDS[1]]
        assert all(CONTEXT_SEPARATOR in text and "|" not in text.rpartition(CONTEXT_SEPARATOR)[2]
                   for text in contextual)
        logs = store.behavior_logs("PAP", "toy")
        assert [entry["technique"] for entry in logs[IDS[0]]] == FIRST_FIVE
        costs = store.test_case_costs()
        assert all(costs[("PAP", "toy", b)]["api_calls"] == 5 and costs[("PAP", "toy", b)]["tokens_out"] > 0
                   for b in IDS)
        assert len(store.labels(method="PAP", judge="refusal")) == 10
