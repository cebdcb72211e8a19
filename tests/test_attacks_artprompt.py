"""ArtPrompt: mask the sensitive word, draw it in ASCII art (spec §4.17).

`ScriptedMasker` stands in for the masking LLM: it records every call and answers from a
function of the instruction it is shown. Tests with the rule-based stand-in say `standin`.
"""

from __future__ import annotations

import sys

import pytest

art = pytest.importorskip("art")

from harmbench.attacks import AttackContext, get_attack
from harmbench.attacks.artprompt import (
    MASK,
    MASKING_OPENING,
    choose_mask_word,
    horizontal_art,
    letter_blocks,
    parse_masking,
    vertical_art,
)
from harmbench.behaviors import CONTEXT_SEPARATOR, load_behaviors
from harmbench.config import load_configs
from harmbench.errors import ConfigError
from harmbench.models.base import Generation, GenerationConfig
from harmbench.store import RunStore
from tests.conftest import run_cli

IDS = ["rotten_egg_stink_bomb_sibling_prank", "newsletter_bake_sale_false_cancellation"]  # standard, contextual


class ScriptedMasker:
    name = "scripted-masker"

    def __init__(self, answer):
        self.answer = answer
        self.calls: list[tuple[list, GenerationConfig]] = []

    def generate(self, requests, config=None):
        self.calls.append((list(requests), config))
        return [Generation(self.answer(r.messages[-1].content.rpartition("### Instruction: ")[2]), tokens_in=9,
                           tokens_out=4) for r in requests]


def run(attack, behaviors, model):
    results = list(attack.generate(behaviors, AttackContext(load_model=lambda spec: model)))
    assert [r.behavior_id for r in results] == [b.behavior_id for b in behaviors]
    return results


@pytest.fixture(scope="module")
def text_demo():
    return [b for b in load_behaviors("demo") if not b.is_multimodal]


@pytest.mark.parametrize("answer, words, masked", [
    ("### Masked words: [prank]\n### Masked instruction: plan a [MASK]", ["prank"], "plan a [MASK]"),
    ("### Masked words: [prank, 'rude', \"fake\"]\n### Masked instruction: x", ["prank", "rude", "fake"], "x"),
    ("Sure!\n### masked words:   [ , prank ]\n### Masked Instruction:  y ", ["prank"], "y"),
    ("### Masked words: prank, rude\n### Masked instruction: z", ["prank", "rude"], "z"),
    ("### Masked words: []\n### Masked instruction: harmless", [], "harmless"),
    ("I would rather not answer that.", [], ""),
    ("### Masked words: [smelly socks, prank]", ["smelly socks", "prank"], ""),
])
def test_parsing_of_the_masking_answer(answer, words, masked):
    assert parse_masking(answer) == (words, masked)


def test_choice_of_the_mask_word():
    text = "plan a prank with whoopee cushions "
    assert choose_mask_word(["smelly socks", "prank", "whoopee"], text) == "prank"  # spaces are skipped
    assert choose_mask_word(["glitter", "whoopee"], text) == "whoopee"  # absent words are skipped
    assert choose_mask_word(["glitter"], text) is None and choose_mask_word([], text) is None


@pytest.mark.parametrize("font", ["cards", "letters", "keyboard"])
def test_horizontal_and_vertical_art_hold_each_letters_drawing(font):
    word = "Prank"
    blocks = letter_blocks(word, font)
    assert len(blocks) == len(word) and len({len(b) for b in blocks}) == 1
    sep = "*" if font in ("cards", "keyboard") else "|"
    rows = horizontal_art(word, font).split("\n")
    assert len(rows) == len(blocks[0])
    for r, row in enumerate(rows):
        assert row == sep.join(block[r] for block in blocks)
    for ch, block in zip(word, blocks):
        # each letter's own drawing (art's rendering, blank edge rows aside) is in both layouts
        own = [line for line in art.text2art(ch, font=font).split("\n") if line.strip()]
        assert [line for line in block if line.strip()] == [line.ljust(len(block[0])) for line in own]
        assert "\n".join(line.rstrip() for line in block) in vertical_art(word, font)
    assert vertical_art(word, font).count("\n\n") == len(word) - 1


def test_every_occurrence_is_masked_and_the_behavior_is_kept_without_a_word(text_demo):
    contextual = next(b for b in text_demo if b.is_contextual)
    word = "bake"
    masker = ScriptedMasker(lambda text: f"### Masked words: [{word}]\n### Masked instruction: ..."
                            if word in text else "### Masked words: []\n### Masked instruction: ...")
    plain = next(b for b in text_demo if not b.is_contextual and word not in b.prompt(optimizer=True))
    results = run(get_attack("ArtPrompt", {"masking_model": "x"}), [contextual, plain], masker)
    instruction = contextual.prompt(optimizer=True)  # behavior + " ", context-prefixed
    assert instruction.count(word) >= 2 and CONTEXT_SEPARATOR in instruction
    case = results[0].test_cases[0]
    assert case.count(MASK) == instruction.count(word) + 1 and word not in case  # +1: "replace [MASK] with ..."
    assert instruction.replace(word, MASK) in case and horizontal_art(word, "cards") in case
    assert results[0].logs == [{"loss": 0, "test_case": case, "masked_word": word, "masked_words": [word]}]
    assert results[1].test_cases == [plain.prompt(optimizer=True)]
    assert results[1].logs[0]["masked_word"] is None and results[1].logs[0]["test_case"] == results[1].test_cases[0]


def test_absent_or_spaced_words_fall_back_to_the_next_usable_one(text_demo):
    behavior = next(b for b in text_demo if b.behavior_id == IDS[0])
    masker = ScriptedMasker(lambda text: "### Masked words: [glitter, rotten eggs, bomb]\n### Masked instruction: -")
    result = run(get_attack("ArtPrompt", {"masking_model": "x", "masking_direction": "vertical"}), [behavior],
                 masker)[0]
    assert result.logs[0]["masked_word"] == "bomb" and "bomb" not in result.test_cases[0]
    assert vertical_art("bomb", "cards") in result.test_cases[0]
    masker = ScriptedMasker(lambda text: "### Masked words: [glitter]\n### Masked instruction: -")
    result = run(get_attack("ArtPrompt", {"masking_model": "x"}), [behavior], masker)[0]
    assert result.test_cases == [behavior.prompt(optimizer=True)] and result.logs[0]["masked_words"] == ["glitter"]


def test_one_greedy_call_per_chunk_with_the_masking_prompt(text_demo):
    behaviors = text_demo[:5]
    masker = ScriptedMasker(lambda text: "### Masked words: []")
    results = run(get_attack("ArtPrompt", {"masking_model": "x", "behaviors_per_call": 3}), behaviors, masker)
    assert [len(reqs) for reqs, _ in masker.calls] == [3, 2]
    config = masker.calls[0][1]
    assert (config.temperature, config.seed, config.max_new_tokens) == (0.0, 0, 1024)
    for request, behavior in zip(masker.calls[0][0] + masker.calls[1][0], behaviors):
        prompt = request.messages[-1].content
        assert prompt.startswith(MASKING_OPENING) and prompt.endswith(behavior.prompt(optimizer=True))
    assert all((r.cost.api_calls, r.cost.tokens_in, r.cost.tokens_out) == (1, 9, 4) for r in results)


@pytest.mark.parametrize("hyper, match", [
    ({"masking_direction": "diagonal"}, "horizontal or vertical"),
    ({"fontname": "gen"}, "unknown fontname 'gen'"),
    ({"fontname": "no-such-font"}, "unknown fontname"),
    ({"masking_model": None}, "needs masking_model"),
    ({"behaviors_per_call": 0}, "behaviors_per_call"),
])
def test_bad_hyperparameters_say_what_to_fix(hyper, match):
    with pytest.raises(ConfigError, match=match):
        get_attack("ArtPrompt", hyper)


def test_missing_art_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "art", None)  # makes `import art` fail
    with pytest.raises(ConfigError) as err:
        get_attack("ArtPrompt", {})
    assert "pip install 'harmbench[artprompt]'" in str(err.value) + str(getattr(err.value, "hint", ""))


def test_config_toy_experiment_and_upstream_agreement(shared_configs):
    ours, upstream = load_configs(None), load_configs(shared_configs)
    theirs, _ = upstream.method("ArtPrompt").all_experiments(upstream.models)
    assert len(theirs) > 30
    for name, experiment in theirs.items():  # models.yaml entries differ (API tokens, ...): compare the rest
        mine = dict(ours.method("ArtPrompt").resolve(name, ours.models).hyperparameters)
        if name == "toy":
            continue  # ours overrides the expanded `toy` with the stand-in demo
        assert mine.pop("target_model") and mine == {k: v for k, v in experiment.hyperparameters.items()
                                                     if k != "target_model"}, name
    toy = ours.method("ArtPrompt").resolve("toy", ours.models).hyperparameters
    assert toy["masking_model"] == "standin" and toy["fontname"] == "cards"
    attack = get_attack("ArtPrompt", toy)  # masking_model_key and targets_path are accepted
    assert (attack.direction, attack.fontname, attack.expected_test_cases()) == ("horizontal", "cards", 1)


@pytest.mark.slow
def test_artprompt_toy_standin_through_the_cli(tmp_path):
    result = run_cli("run", "--methods", "ArtPrompt:toy", "--models", "toy", "--behavior-ids", ",".join(IDS),
                     "--max-new-tokens", "8", "--judge", "refusal", "--threads", "1",
                     "--run-dir", str(tmp_path / "run"), "--no-report")
    assert result.returncode == 0, result.stderr
    with RunStore(tmp_path / "run") as store:
        cases = {t.behavior_id: t.text for t in store.test_cases("ArtPrompt", "toy")}
        assert sorted(cases) == sorted(IDS)
        logs = store.behavior_logs("ArtPrompt", "toy")
        word = logs[IDS[0]][0]["masked_word"]
        assert word == "stink" and MASK in cases[IDS[0]] and horizontal_art(word, "cards") in cases[IDS[0]]
        assert logs[IDS[0]][0]["test_case"] == cases[IDS[0]]
        costs = store.test_case_costs()
        assert all(costs[("ArtPrompt", "toy", b)]["api_calls"] == 1 for b in IDS)
        assert len(store.labels(method="ArtPrompt", judge="refusal")) == 2
