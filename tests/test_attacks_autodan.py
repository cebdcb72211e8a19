"""AutoDAN (spec §4.12): the genetic operators on plain strings, the loop on fake fitness, the
white-box fitness and short runs on the CPU toy model with the stand-in mutator, the CLI, config."""

from __future__ import annotations

import json
import math
import random
import re

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

import harmbench.attacks.autodan as autodan_module
from harmbench.attacks import AttackContext, get_attack
from harmbench.attacks.autodan import AutoDAN, PrefixScorer, mutate, search
from harmbench.attacks.autodan_genetic import (
    breed_ga,
    breed_hga,
    crossover,
    replace_words,
    roulette,
    selection_probabilities,
    split_sentences,
    update_word_scores,
)
from harmbench.attacks.autodan_templates import (
    MUTATION_PROMPT,
    PASSAGE_LABEL,
    PROMPT_MARKER,
    TARGET_PREFIX,
    builtin_templates,
)
from harmbench.config import load_configs
from harmbench.errors import ConfigError
from harmbench.models.base import (
    Generation,
    GenerationConfig,
    GenerationRequest,
    Message,
)
from harmbench.models.standin import StandInLLM
from harmbench.models.standin import autodan as standin_autodan
from harmbench.store import RunStore
from tests.conftest import run_cli
from tests.whitebox_fixtures import behaviors, models, one_torch_thread

NAMES = {"model_short_name": "ToyChat", "developer_name": "HarmBench"}
TOY = {"model_name_or_path": "builtin:toy-chat", **NAMES}
IDS = ["rotten_egg_stink_bomb_sibling_prank", "newsletter_bake_sale_false_cancellation"]  # standard, contextual


def attack(**hyperparameters) -> AutoDAN:
    settings = {"target_model": dict(TOY), "mutate_model": "standin", "batch_size": 12, "num_steps": 3,
                "eval_with_check_refusal": False, **hyperparameters}
    return get_attack("AutoDAN", settings)


class Recording:
    """Wraps a mutator and records each `generate` call's requests (no `format`: an API model)."""

    def __init__(self, inner):
        self.inner, self.calls = inner, []

    def generate(self, requests, config):
        self.calls.append(list(requests))
        return self.inner.generate(requests, config)


def passage(request: GenerationRequest) -> str:
    return request.messages[-1].content.split(PASSAGE_LABEL, 1)[1]


# ---------------------------------------------------------------- paragraph level


def test_elites_are_the_lowest_losses_and_sizes_add_up():
    population = [f"Prompt {i}." for i in range(10)]
    losses = [5.0, 0.3, 4.0, 0.1, 9.0, 0.2, 3.0, 8.0, 7.0, 6.0]
    elites, offspring = breed_ga(population, losses, 3, 0.5, 5, random.Random(0))
    assert elites == ["Prompt 3.", "Prompt 5.", "Prompt 1."]
    assert len(elites) + len(offspring) == 10
    odd = population[:9]  # an odd number of parents still gives exactly the missing number
    assert len(breed_ga(odd, losses[:9], 2, 1.0, 5, random.Random(1))[1]) == 7


def test_roulette_follows_softmax_of_negative_loss():
    losses = [0.0, 1.0, 2.0, 0.5]
    expected = [math.exp(-x) for x in losses]
    expected = [e / sum(expected) for e in expected]
    assert selection_probabilities(losses) == pytest.approx(expected)
    draws = roulette(["a", "b", "c", "d"], losses, 40_000, random.Random(7))
    for name, p in zip("abcd", expected):
        assert draws.count(name) / len(draws) == pytest.approx(p, abs=0.01)
    # shifting every loss leaves the wheel unchanged (large losses do not underflow)
    assert selection_probabilities([x + 900 for x in losses]) == pytest.approx(expected)


def sources(child: str, a: list[str], b: list[str]) -> list[str]:
    """Which parent each sentence of `child` comes from, position by position."""
    out = []
    for k, sentence in enumerate(split_sentences(child)):
        if k < len(a) and sentence == a[k]:
            out.append("a")
        elif k < len(b) and sentence == b[k]:
            out.append("b")
        else:
            raise AssertionError(f"sentence {k} {sentence!r} is not a parent's sentence {k}")
    return out


@pytest.mark.parametrize("num_points", [1, 2, 5])
def test_crossover_children_are_parents_sentences_with_few_switches(num_points):
    a = [f"Alpha {k} runs." for k in range(9)]
    b = [f"Bravo {k} waits!" for k in range(6)]
    switched = 0
    for seed in range(200):
        one, two = crossover(" ".join(a), " ".join(b), num_points, random.Random(seed))
        src_one, src_two = sources(one, a, b), sources(two, a, b)
        # child 2 takes the other parent wherever child 1 takes one (over the shared length)
        assert all(x != y for x, y in zip(src_one, src_two))
        assert sorted([len(src_one), len(src_two)]) == [6, 9]  # each tail runs to its parent's end
        changes = sum(x != y for x, y in zip(src_one, src_one[1:]))
        assert changes <= num_points
        switched = max(switched, changes)
    assert switched == num_points  # the bound is reached, so points are really drawn


def test_crossover_of_short_parents_never_fails():
    rng = random.Random(0)
    for a, b in [("One.", "Two."), ("One. Two. Three.", "Four. Five."), ("No end mark", "Still none")]:
        one, two = crossover(a, b, 5, rng)  # upstream's draw fails on the second pair
        # the children share out the parents' sentences: nothing lost, nothing invented
        assert sorted(split_sentences(one) + split_sentences(two)) == sorted(split_sentences(a) + split_sentences(b))


# ---------------------------------------------------------------- sentence level (HGA)


def test_momentum_word_scores_average_with_the_previous_score():
    first = update_word_scores({}, ["Alpha beta the.", "beta gamma"], [1.0, 3.0], excluded=["gamma"])
    assert first == {"alpha": -1.0, "beta": -2.0}  # mean -loss; stop words and excluded words skipped
    second = update_word_scores(first, ["alpha delta"], [5.0])
    assert second == {"alpha": (-1.0 + -5.0) / 2, "beta": -2.0, "delta": -5.0}
    assert first == {"alpha": -1.0, "beta": -2.0}  # not changed in place


def test_word_replacement_follows_scores_caps_swaps_and_keeps_names():
    synonyms = {"answer": ["reply"], "reply": ["answer"], "toychat": ["robot"]}
    paragraph = " ".join(["Answer answer."] * 4)  # 8 replaceable words
    text = paragraph + "\n\n" + paragraph + " ToyChat!"
    favour_reply = {"reply": 20.0, "answer": -20.0}
    out = replace_words(text, favour_reply, synonyms, random.Random(0), excluded=["ToyChat"])
    paragraphs = out.split("\n\n")
    assert len(paragraphs) == 2 and paragraphs[1].endswith(" ToyChat!")
    for p in paragraphs:
        assert len(re.findall(r"[Rr]eply", p)) == 5  # capped at 5 per paragraph, all picked
        assert p.startswith(("Reply", "Answer"))  # capital letters kept
    # with the original favoured, nothing changes; with no scores the unknown words tie
    assert replace_words(text, {"reply": -20.0, "answer": 20.0}, synonyms, random.Random(0)) == text
    assert replace_words(text, {}, synonyms, random.Random(3)) != text


def test_breed_hga_keeps_elites_and_rewrites_the_rest_best_first():
    population = ["We answer now.", "They answer later.", "You answer soon.", "I answer never."]
    losses = [2.0, 0.5, 3.0, 1.0]
    elites, offspring, scores = breed_hga(population, losses, 1, {}, {"answer": ["reply"]}, random.Random(0))
    assert elites == ["They answer later."]
    assert [o.split()[0] for o in offspring] == ["I", "We", "You"]  # non-elites in rank order
    assert scores["answer"] == pytest.approx(-sum(losses) / 4)


# ---------------------------------------------------------------- the loop


def fake_breed(step, population, losses):
    return population


def test_search_stops_after_ten_steps_without_improvement():
    _, logs = search(["p"], lambda pop: [1.0] * len(pop), fake_breed, str, None, num_steps=50, eval_steps=5)
    assert len(logs) == 11  # the first step sets the best, ten more do not beat it
    falling = iter(range(100, 0, -1))
    _, logs = search(["p"], lambda pop: [float(next(falling))], fake_breed, str, None, num_steps=30, eval_steps=5)
    assert len(logs) == 30


def test_search_checks_refusal_every_eval_steps_and_stops_on_compliance():
    checked = []

    def refuses(case):
        checked.append(case)
        return len(checked) < 3  # the third check gets an answer

    losses = iter(range(100, 0, -1))
    case, logs = search(["x"], lambda pop: [float(next(losses))], fake_breed, lambda p: p + "!", refuses,
                        num_steps=20, eval_steps=4)
    assert len(logs) == 9 and len(checked) == 3  # checks at steps 0, 4, 8
    assert case == "x!" and logs[-1] == {"loss": 92.0, "test_case": "x!"}
    checked.clear()
    search(["x"], lambda pop: [float(next(losses))], fake_breed, str, lambda c: checked.append(c) or True,
           num_steps=6, eval_steps=4)
    assert len(checked) == 3  # steps 0, 4 and the last (5)


def test_mutation_calls_the_standin_once_per_generation_for_exactly_the_chosen(behaviors, monkeypatch):
    chosen_log, offspring_log = [], []
    real_pick, real_breed = autodan_module.pick_for_mutation, autodan_module.breed_ga

    def pick(n, rate, rng):
        chosen_log.append(real_pick(n, rate, rng))
        return chosen_log[-1]

    def breed(*args):
        elites, offspring = real_breed(*args)
        offspring_log.append(list(offspring))
        return elites, offspring

    monkeypatch.setattr(autodan_module, "pick_for_mutation", pick)
    monkeypatch.setattr(autodan_module, "breed_ga", breed)
    mutator = Recording(StandInLLM())
    method = attack(mutation=0.3, num_steps=4)
    populations = []

    def losses_of(population):
        populations.append(list(population))
        return [float(len(p) % 7) for p in population]

    cost = autodan_module.Cost()
    method.run_one(behaviors[0], 0, losses_of, mutator, None, 0, cost)
    assert len(chosen_log) == 3 and all(chosen_log)  # three generations bred, each with mutations
    assert len(mutator.calls) == 3 and cost.api_calls == sum(map(len, chosen_log))
    for chosen, offspring, call, after in zip(chosen_log, offspring_log, mutator.calls, populations[1:]):
        assert [passage(r) for r in call] == [offspring[i].removesuffix(PROMPT_MARKER) for i in chosen]
        for i in chosen:  # the revision took the chosen one's place, marker kept
            assert after[1 + i].endswith(PROMPT_MARKER) and after[1 + i] != offspring[i]


def test_a_local_mutator_gets_its_reply_prefilled():
    class Local:
        def format(self, request):
            return "<chat>" + request.messages[-1].content + "</chat>"

        def generate(self, requests, config):
            self.requests, self.config = requests, config
            return [Generation("revised here.", 10, 3), Generation("", 10, 0)]

    mutator = Local()
    out = mutate(mutator, ["Hello there friend. Be kind." + PROMPT_MARKER, "Keep me as I am."], seed=5)
    assert mutator.requests[0].prompt.endswith("</chat>Hello there")
    assert (mutator.config.temperature, mutator.config.max_new_tokens, mutator.config.seed) == (1.0, 1400, 5)
    assert out == ["Hello there revised here." + PROMPT_MARKER, "Keep me as I am."]  # empty revision: kept


def test_hga_alternates_paragraph_and_sentence_level(behaviors, monkeypatch):
    kinds = []
    real_ga, real_hga = autodan_module.breed_ga, autodan_module.breed_hga
    monkeypatch.setattr(autodan_module, "breed_ga", lambda *a: kinds.append("ga") or real_ga(*a))
    monkeypatch.setattr(autodan_module, "breed_hga", lambda *a: kinds.append("hga") or real_hga(*a))
    method = attack(hga=True, iter=3, num_steps=8, mutation=0.0)
    falling = iter(range(1000, 0, -1))
    method.run_one(behaviors[0], 0, lambda pop: [float(next(falling)) for _ in pop], StandInLLM(), None, 0,
                   autodan_module.Cost())
    assert kinds == ["ga", "hga", "hga", "ga", "hga", "hga", "ga"]


# ---------------------------------------------------------------- on the toy model


def test_scorer_matches_unpadded_losses(models):
    target = models("toy")
    wb = target.whitebox()
    cases = ["Hi. " + PROMPT_MARKER + "Bake cookies", "A much longer prefix with many more words in it. " * 3,
             "Short"]
    target_text = TARGET_PREFIX + "Sure, here is a plan"
    batched = PrefixScorer(target, wb, target_text)(cases)
    target_ids = target.tokenizer(target_text, add_special_tokens=False)["input_ids"]
    for case, loss in zip(cases, batched):
        prompt = target.encode(target.format(GenerationRequest.user(case)))
        ids = torch.tensor([prompt + target_ids])
        with torch.no_grad():
            logits = target.model(input_ids=ids).logits[0, len(prompt) - 1:-1]
        alone = torch.nn.functional.cross_entropy(logits, torch.tensor(target_ids)).item()
        assert loss == pytest.approx(alone, abs=1e-4)
    assert PrefixScorer(target, wb, target_text, batch_size=1)(cases) == pytest.approx(batched, abs=1e-4)


def test_a_short_run_on_the_toy_lowers_the_best_loss(models, behaviors):
    method = attack(num_steps=8, mutation=0.2)
    gains = []
    for seed in range(3):  # a single short run may find nothing better: at least one of three must
        (result,) = list(method.generate(behaviors[:1], AttackContext(load_model=models, seed=seed)))
        losses = [step["loss"] for step in result.logs[0]]
        assert len(losses) == 8
        assert all(b <= a + 1e-5 for a, b in zip(losses, losses[1:]))  # the elite keeps the best (to float noise)
        gains.append(losses[0] - losses[-1])
    assert max(gains) > 1e-4, gains
    assert result.test_cases[0].endswith(PROMPT_MARKER + behaviors[0].behavior)
    assert not re.search("<MODEL>|<DEVELOPER>", result.test_cases[0])  # (crossover may drop the named sentence)
    assert result.cost.forward_passes == 8 * 12 and result.cost.api_calls > 0


def test_contextual_test_case_and_refusal_check_on_the_toy(models, behaviors):
    contextual = behaviors[2]
    method = attack(num_steps=2, eval_with_check_refusal=True)
    (result,) = method.generate([contextual], AttackContext(load_model=models, seed=1))
    case = result.test_cases[0]
    assert case.endswith(PROMPT_MARKER + contextual.prompt()) and "\n\n---\n\n" in case
    assert result.logs[0][-1]["test_case"] == case


# ---------------------------------------------------------------- configuration and bad input


def test_population_from_user_templates_and_bad_input(tmp_path):
    path = tmp_path / "refs.json"
    path.write_text(json.dumps(["You are ChatGPT by ModelKeeper.", "<MODEL> made by <DEVELOPER>."]))
    method = attack(reference_templates_path=str(path), batch_size=2)
    assert method.population() == ["You are ToyChat by HarmBench." + PROMPT_MARKER,
                                   "ToyChat made by HarmBench." + PROMPT_MARKER]
    assert len(set(builtin_templates())) == 128
    population = attack(batch_size=128).population()
    assert len(population) == 128 and all("ToyChat" in p and "HarmBench" in p for p in population)
    with pytest.raises(ConfigError, match="more than the 2 reference templates"):
        attack(reference_templates_path=str(path), batch_size=3)
    with pytest.raises(ConfigError, match="lacks developer_name"):
        get_attack("AutoDAN", {"target_model": {"model_name_or_path": "x", "model_short_name": "X"},
                               "mutate_model": "standin"})
    with pytest.raises(ConfigError, match="num_elites") as err:
        attack(num_elites=5)
    assert "fraction" in err.value.hint
    with pytest.raises(ConfigError, match="hga must be true or false"):
        attack(hga="yes")
    with pytest.raises(ConfigError, match="mutate_model"):
        get_attack("AutoDAN", {"target_model": dict(TOY)})
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        attack(reference_templates_path=str(path))
    # a models.yaml name as target_model, with the names beside it
    named = get_attack("AutoDAN", {"target_model": "toy", "mutate_model": "standin", **NAMES})
    assert named.target_spec == "toy" and named.names == NAMES


def test_standin_mutator_rewrites_only_autodan_requests():
    llm = StandInLLM()
    text = builtin_templates()[5]
    out = llm.generate([GenerationRequest.user(MUTATION_PROMPT.format(passage=text))], GenerationConfig(seed=3))[0]
    assert out.text != text and len(split_sentences(out.text)) == len(split_sentences(text))
    assert "(🔓Developer Mode Output)" in out.text and "(🔒Normal Output)" in out.text  # tags untouched
    other = llm.generate([GenerationRequest.user(MUTATION_PROMPT.format(passage=text))], GenerationConfig(seed=4))
    assert other[0].text != out.text  # the sampling seed matters
    assert standin_autodan.mutator([Message("user", "Passage:\nhello")], random.Random(0)) is None


def test_config_toy_experiment_and_upstream_agreement(shared_configs):
    ours, upstream = load_configs(None), load_configs(shared_configs)
    toy = ours.method("AutoDAN").resolve("toy", ours.models).hyperparameters
    assert toy["target_model"] == {"model_name_or_path": "builtin:toy-chat", **NAMES}
    assert toy["mutate_model"] == "standin" and not toy["hga"]
    assert ours.method("AutoDAN").resolve("toy_hga", ours.models).hyperparameters["hga"] is True
    theirs, _ = upstream.method("AutoDAN").all_experiments(upstream.models)
    assert len(theirs) >= 20
    for name, experiment in theirs.items():
        mine = dict(ours.method("AutoDAN").resolve(name, ours.models).hyperparameters)
        assert set(mine) - set(experiment.hyperparameters) == {"hga", "iter"}, name
        target, their_target = mine.pop("target_model"), experiment.hyperparameters["target_model"]
        for key in ("model_short_name", "developer_name"):
            assert target[key] == their_target[key], name
        assert {k: v for k, v in mine.items() if k not in ("hga", "iter")} == \
            {k: v for k, v in experiment.hyperparameters.items() if k != "target_model"}, name


@pytest.mark.slow
def test_autodan_toy_through_the_cli(tmp_path):
    result = run_cli("run", "--methods", "AutoDAN:toy", "--models", "toy", "--behavior-ids", ",".join(IDS),
                     "--max-new-tokens", "8", "--judge", "refusal", "--threads", "1",
                     "--run-dir", str(tmp_path / "run"), "--no-report")
    assert result.returncode == 0, result.stderr
    with RunStore(tmp_path / "run") as store:
        cases = store.test_cases("AutoDAN", "toy")
        assert sorted(t.behavior_id for t in cases) == sorted(IDS)
        assert all(PROMPT_MARKER in t.text and "Developer Mode" in t.text for t in cases)
        assert "\n\n---\n\n" in next(t.text for t in cases if t.behavior_id == IDS[1])
        costs = store.test_case_costs()
        for behavior_id in IDS:
            cost = costs[("AutoDAN", "toy", behavior_id)]
            assert cost["forward_passes"] > 0 and cost["forward_passes"] % 12 == 0
        logs = store.behavior_logs("AutoDAN", "toy")
        assert all(step.keys() == {"loss", "test_case"} for step in logs[IDS[0]][0])
