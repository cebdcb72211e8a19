"""DirectRequest, HumanJailbreaks and ZeroShot: test cases as upstream builds them."""

from __future__ import annotations

import json
import math
import random
import shutil
from pathlib import Path

import pytest

from harmbench.attacks import AttackContext, BehaviorResult, attack_classes, get_attack
from harmbench.attacks.human_jailbreaks import load_templates
from harmbench.attacks.zero_shot import COMPLETION_PREFIX, ZEROSHOT_CONTEXT_SEPARATOR, stable_seed
from harmbench.behaviors import CONTEXT_SEPARATOR, Behavior, load_behaviors
from harmbench.config import load_configs
from harmbench.errors import ConfigError, DataError
from harmbench.models.base import Generation, GenerationConfig, GenerationRequest


def no_model(spec):  # pragma: no cover - called only if a method wrongly loads a model
    raise AssertionError(f"this method must not load a model (asked for {spec!r})")


def run(attack, behaviors, **context) -> dict[str, BehaviorResult]:
    ctx = AttackContext(load_model=context.pop("load_model", no_model), **context)
    results = list(attack.generate(behaviors, ctx))
    assert len(results) == len({r.behavior_id for r in results})  # one result per behavior
    return {r.behavior_id: r for r in results}


@pytest.fixture(scope="module")
def demo() -> list[Behavior]:
    behaviors = load_behaviors("demo")
    assert any(b.is_contextual for b in behaviors)
    return behaviors


@pytest.fixture(scope="module")
def text_demo(demo) -> list[Behavior]:
    return [b for b in demo if not b.is_multimodal]


@pytest.fixture
def official_dir(shared_data: Path, tmp_path: Path) -> Path:
    """A data directory holding upstream's templates as a JSON list (the shared reference copy)."""
    source = shared_data / "human_jailbreaks.json"
    if not source.is_file():
        pytest.skip(f"{source} is absent")
    root = tmp_path / "data"
    root.mkdir()
    shutil.copy(source, root / "human_jailbreaks.json")
    return root


@pytest.fixture
def official_templates(official_dir: Path) -> list[str]:
    return json.loads((official_dir / "human_jailbreaks.json").read_text("utf-8"))


# ---------------------------------------------------------------- registry


def test_registry_and_unknown_hyperparameters():
    assert {"DirectRequest", "HumanJailbreaks", "ZeroShot"} <= set(attack_classes())
    attack = get_attack("DirectRequest", {"placeholder": "placeholder", "something_else": 3})
    assert attack.name == "DirectRequest" and not attack.needs
    assert get_attack("HumanJailbreaks", {"seed": 1, "random_subset": 5, "unknown": True}).random_subset == 5
    with pytest.raises(ConfigError, match="DirectReqest"):
        get_attack("DirectReqest")


def test_shipped_configs_resolve():
    configs = load_configs()
    hj = configs.method("HumanJailbreaks")
    assert hj.resolve("random_subset_5", configs.models).hyperparameters == {
        "seed": 1, "templates": "official", "random_subset": 5}
    assert hj.resolve("all_jailbreaks", configs.models).hyperparameters["random_subset"] == -1
    assert hj.resolve("demo", configs.models).hyperparameters["templates"] == "demo"
    zs = configs.method("ZeroShot")
    mixtral = zs.resolve("mixtral_attacker_llm", configs.models).hyperparameters
    assert mixtral["num_test_cases_per_behavior"] == 5 and mixtral["num_gpus"] == 2
    assert mixtral["generation_config"]["max_tokens"] == 256
    toy = zs.resolve("toy_attacker", configs.models).hyperparameters
    assert toy["attacker"] == "toy" and toy["num_test_cases_per_behavior"] == 2
    assert toy["generation_config"]["max_tokens"] == 48
    assert "default" in configs.method("DirectRequest").experiment_names(configs.models)


# ---------------------------------------------------------------- DirectRequest


def test_direct_request_is_the_behavior_prompt(demo):
    results = run(get_attack("DirectRequest", {"placeholder": "placeholder"}), demo)
    assert list(results) == [b.behavior_id for b in demo]
    for b in demo:
        assert results[b.behavior_id].test_cases == [b.prompt()]
        assert results[b.behavior_id].logs is None
    contextual = next(b for b in demo if b.is_contextual)
    assert results[contextual.behavior_id].test_cases[0] == (
        contextual.context_string + CONTEXT_SEPARATOR + contextual.behavior)


# ---------------------------------------------------------------- HumanJailbreaks


def upstream_selection(templates: list[str], behaviors: list[Behavior], seed: int, subset: int) -> dict[str, list[str]]:
    """Upstream's draw, written out plainly: seed once, shuffle the global list per behavior, slice."""
    jailbreaks = list(templates)
    random.seed(seed)
    out = {}
    for b in behaviors:
        random.shuffle(jailbreaks)
        out[b.behavior_id] = [f"{t}\n\n{b.prompt()}" for t in jailbreaks[:subset]]
    return out


def templates_of(cases: list[str], behavior: Behavior) -> list[str]:
    suffix = "\n\n" + behavior.prompt()
    assert all(c.endswith(suffix) for c in cases)
    return [c[: -len(suffix)] for c in cases]


def test_human_jailbreaks_reproduce_upstream_sampling(demo, official_dir, official_templates):
    assert len(official_templates) == 114
    attack = get_attack("HumanJailbreaks", {"seed": 1, "random_subset": 5})
    results = run(attack, demo, data_dir=official_dir)
    expected = upstream_selection(official_templates, demo, 1, 5)
    assert {k: r.test_cases for k, r in results.items()} == expected
    assert all(len(r.test_cases) == 5 and r.logs is None for r in results.values())
    contextual = next(b for b in demo if b.is_contextual)
    assert all(case.endswith("\n\n" + contextual.prompt()) for case in results[contextual.behavior_id].test_cases)
    # Another seed gives another draw.
    other = run(get_attack("HumanJailbreaks", {"seed": 2, "random_subset": 5}), demo, data_dir=official_dir)
    assert other[demo[0].behavior_id].test_cases != results[demo[0].behavior_id].test_cases


def test_human_jailbreaks_subset_run_matches_full_run(demo, official_dir):
    order = [b.behavior_id for b in demo]
    full = run(get_attack("HumanJailbreaks", {"random_subset": 5}), demo, data_dir=official_dir)
    part = demo[3:6]
    resumed = run(get_attack("HumanJailbreaks", {"random_subset": 5, "behavior_order": order}), part,
                  data_dir=official_dir)
    assert list(resumed) == [b.behavior_id for b in part]
    assert all(resumed[b.behavior_id].test_cases == full[b.behavior_id].test_cases for b in part)
    # The pipeline may set the order as an attribute instead; the order passed does not matter.
    attack = get_attack("HumanJailbreaks", {"random_subset": 5})
    attack.behavior_order = order
    shuffled = [demo[10], demo[2]]
    again = run(attack, shuffled, data_dir=official_dir)
    assert all(again[b.behavior_id].test_cases == full[b.behavior_id].test_cases for b in shuffled)
    # Without an order, a subset is its own dataset (upstream run on that subset).
    alone = run(get_attack("HumanJailbreaks", {"random_subset": 5}), part, data_dir=official_dir)
    assert templates_of(alone[part[0].behavior_id].test_cases, part[0]) == templates_of(
        full[demo[0].behavior_id].test_cases, demo[0])
    with pytest.raises(ConfigError, match="behavior_order"):
        run(get_attack("HumanJailbreaks", {"behavior_order": order[:2]}), demo[5:6], data_dir=official_dir)


def test_human_jailbreaks_all_drops_one_and_keeps_placeholders(text_demo, official_dir, official_templates):
    results = run(get_attack("HumanJailbreaks", {"seed": 1, "random_subset": -1}), text_demo[:4], data_dir=official_dir)
    for b in text_demo[:4]:
        cases = results[b.behavior_id].test_cases
        assert len(cases) == 113  # upstream's [:-1] quirk: 113 of 114 (its list holds one duplicate)
        assert set(templates_of(cases, b)) <= set(official_templates)
    assert sum("{0}" in c for c in results[text_demo[0].behavior_id].test_cases) >= 110  # placeholders left unfilled
    assert upstream_selection(official_templates, text_demo[:4], 1, -1) == {
        k: r.test_cases for k, r in results.items()}


def test_human_jailbreaks_demo_templates_work_offline(demo, tmp_path):
    templates = load_templates("demo")
    assert 6 <= len(templates) <= 8 and all(isinstance(t, str) and t for t in templates)
    results = run(get_attack("HumanJailbreaks", {"random_subset": 5, "templates": "demo"}), demo,
                  data_dir=tmp_path)  # empty data directory: nothing downloaded
    for b in demo:
        cases = results[b.behavior_id].test_cases
        assert len(cases) == 5
        assert all(c.endswith("\n\n" + b.prompt()) and c.split("\n\n")[0] in templates for c in cases)
    assert {k: r.test_cases for k, r in results.items()} == upstream_selection(templates, demo, 1, 5)


def test_human_jailbreaks_parses_python_list_literal(tmp_path, text_demo):
    path = tmp_path / "jailbreaks.py"
    path.write_text('"""Templates."""\n\nJAILBREAKS = [\n    "first {0}",\n    \'second\',\n'
                    '    """third\nline""",\n]\n')
    assert load_templates(str(path)) == ["first {0}", "second", "third\nline"]
    results = run(get_attack("HumanJailbreaks", {"random_subset": 2, "templates": str(path)}), text_demo[:2])
    assert all(len(r.test_cases) == 2 for r in results.values())
    # A JSON list by path works too.
    listed = tmp_path / "mine.json"
    listed.write_text(json.dumps(["one", "two"]))
    assert load_templates(str(listed)) == ["one", "two"]


@pytest.mark.parametrize("source", [
    "JAILBREAKS = [__import__('os').system('touch {marker}') and 'x', 'y']\n",
    "JAILBREAKS = ['a', 'b'] + [open('{marker}', 'w').write('x')]\n",
    "__import__('os').system('touch {marker}')\n",
])
def test_human_jailbreaks_refuses_code_without_running_it(tmp_path, source):
    marker = tmp_path / "ran"
    path = tmp_path / "jailbreaks.py"
    path.write_text(source.format(marker=marker))
    with pytest.raises(DataError):
        load_templates(str(path))
    assert not marker.exists()


def test_human_jailbreaks_official_python_file_is_checksummed(tmp_path):
    (tmp_path / "human_jailbreaks").mkdir()
    (tmp_path / "human_jailbreaks" / "jailbreaks.py").write_text("JAILBREAKS = ['not upstream']\n")
    with pytest.raises(DataError, match="not upstream's file"):
        load_templates("official", tmp_path)


def test_human_jailbreaks_missing_templates_say_how_to_get_them(demo, tmp_path):
    with pytest.raises(DataError) as err:
        run(get_attack("HumanJailbreaks", {"random_subset": 5}), demo, data_dir=tmp_path)
    assert "harmbench data download --only human_jailbreaks" in err.value.hint
    assert "templates: demo" in err.value.hint
    # data_dir None falls back to $HARMBENCH_DATA_DIR (an empty folder in tests).
    with pytest.raises(DataError, match="human jailbreak templates"):
        run(get_attack("HumanJailbreaks", {}), demo)
    with pytest.raises(DataError, match="does not exist"):
        load_templates(str(tmp_path / "nope.json"))
    with pytest.raises(ConfigError, match="random_subset"):
        get_attack("HumanJailbreaks", {"random_subset": "five"})


# ---------------------------------------------------------------- ZeroShot


class StandInAttacker:
    """A stand-in for a strong attacker LLM: scripted outputs, and a record of every call.

    Its text depends on the seed and the request, so seeding and reproducibility are visible.
    `empty_rounds` calls answer "" to every request (to exercise the retries).
    """

    name = "stand-in-attacker"

    def __init__(self, empty_rounds: int = 0):
        self.calls: list[tuple[list[GenerationRequest], GenerationConfig]] = []
        self.empty_rounds = empty_rounds

    def generate(self, requests, config=GenerationConfig()):
        self.calls.append((list(requests), config))
        if len(self.calls) <= self.empty_rounds:
            return [Generation("   ", 10, 0) for _ in requests]
        rng = random.Random(config.seed)
        return [Generation(f"  attack prompt {rng.randrange(10**6)}  ", 40, 12) for _ in requests]

    def close(self):
        pass


class StandInLocalAttacker(StandInAttacker):
    """The same, with a chat formatter as local (hf/vllm) targets have."""

    def format(self, request: GenerationRequest) -> str:
        if request.prompt is not None:
            return request.prompt
        return "".join(f"<{m.role}>{m.content}</{m.role}>" for m in request.messages) + "<assistant>"


def loader(attacker, seen=None):
    def load(spec):
        if seen is not None:
            seen.append(spec)
        return attacker
    return load


def test_zero_shot_test_cases_batching_and_settings(text_demo):
    attacker = StandInAttacker()
    specs: list = []
    attack = get_attack("ZeroShot", {"attacker": "toy", "num_test_cases_per_behavior": 3,
                                      "behaviors_per_call": 8, "generation_config": {"max_tokens": 64},
                                      "some_unknown_key": 1})
    results = run(attack, text_demo, load_model=loader(attacker, specs), seed=7)
    assert specs == ["toy"]
    assert list(results) == [b.behavior_id for b in text_demo]
    assert len(attacker.calls) == math.ceil(len(text_demo) / 8)  # batched: one call per chunk
    for requests, config in attacker.calls:
        assert config.stop == ("\n",)
        assert config.temperature == 0.9 and config.top_p == 0.95 and config.max_new_tokens == 64
        assert config.seed is not None
        assert all(r.messages is not None for r in requests)  # no formatter: plain chat
    assert len({c.seed for _, c in attacker.calls}) == len(attacker.calls)
    first_requests, first_config = attacker.calls[0]
    assert first_config.seed == stable_seed(7, [b.behavior_id for b in text_demo[:8]], 3, 0)
    assert text_demo[0].behavior in first_requests[0].messages[-1].content
    for b in text_demo:
        result = results[b.behavior_id]
        assert len(result.test_cases) == 3 and result.logs is None
        assert result.cost.api_calls == 3 and result.cost.tokens_in == 120 and result.cost.tokens_out == 36
        for case in result.test_cases:
            output = case.split(ZEROSHOT_CONTEXT_SEPARATOR)[-1]
            assert output.startswith("attack prompt ") and output == output.strip()


def test_zero_shot_contextual_uses_five_hyphens_and_shows_context(text_demo):
    contextual = [b for b in text_demo if b.is_contextual]
    attacker = StandInAttacker()
    results = run(get_attack("ZeroShot", {"model": "toy"}), contextual, load_model=loader(attacker))
    for b in contextual:
        cases = results[b.behavior_id].test_cases
        assert len(cases) == 5  # upstream's default
        for case in cases:
            assert case.startswith(b.context_string + "\n\n-----\n\n")
            assert CONTEXT_SEPARATOR not in case[len(b.context_string):len(b.context_string) + 9]
    meta = attacker.calls[0][0][0].messages[-1].content
    assert contextual[0].context_string in meta and contextual[0].behavior in meta


def test_zero_shot_primes_local_attackers_with_a_completion_prefix(text_demo):
    attacker = StandInLocalAttacker()
    run(get_attack("ZeroShot", {"attacker": "toy", "num_test_cases_per_behavior": 2}), text_demo[:3],
        load_model=loader(attacker))
    (requests, _), = attacker.calls
    assert len(requests) == 6
    for r in requests:
        assert r.prompt is not None and r.prompt.endswith("<assistant>" + COMPLETION_PREFIX)
        assert r.prompt.endswith("1. ")


def test_zero_shot_is_reproducible_and_seeded(text_demo):
    def once(seed):
        attack = get_attack("ZeroShot", {"attacker": "toy", "num_test_cases_per_behavior": 2})
        results = run(attack, text_demo[:6], load_model=loader(StandInAttacker()), seed=seed)
        return {k: r.test_cases for k, r in results.items()}

    assert once(0) == once(0)
    assert once(0) != once(1)


def test_zero_shot_retries_empty_outputs_then_keeps_them(text_demo):
    attacker = StandInAttacker(empty_rounds=2)
    results = run(get_attack("ZeroShot", {"attacker": "toy", "num_test_cases_per_behavior": 2}),
                  text_demo[:4], load_model=loader(attacker))
    assert len(attacker.calls) == 3 and len({c.seed for _, c in attacker.calls}) == 3
    assert all(case for r in results.values() for case in r.test_cases)
    assert results[text_demo[0].behavior_id].cost.api_calls == 6
    stubborn = StandInAttacker(empty_rounds=100)
    results = run(get_attack("ZeroShot", {"attacker": "toy", "num_test_cases_per_behavior": 2}),
                  text_demo[:4], load_model=loader(stubborn))
    assert len(stubborn.calls) == 4  # the first try and 3 retries
    assert all(r.test_cases == ["", ""] for r in results.values())


def test_zero_shot_model_spec_and_errors():
    configs = load_configs()
    hyper = configs.method("ZeroShot").resolve("mixtral_attacker_llm", configs.models).hyperparameters
    attack = get_attack("ZeroShot", hyper)
    assert attack.model_spec == {"model_name_or_path": "mistralai/Mixtral-8x7B-Instruct-v0.1", "num_gpus": 2,
                                 "use_vllm": True}
    assert attack.generation_config(3) == GenerationConfig(max_new_tokens=256, temperature=0.9, top_p=0.95,
                                                           stop=("\n",), seed=3)
    with pytest.raises(ConfigError, match="attacker model"):
        get_attack("ZeroShot", {"num_test_cases_per_behavior": 5})
    with pytest.raises(ConfigError, match="num_test_cases_per_behavior"):
        get_attack("ZeroShot", {"attacker": "toy", "num_test_cases_per_behavior": 0})


def test_zero_shot_with_the_toy_model_end_to_end(text_demo):
    from harmbench.models import get_target

    try:
        toy = get_target("toy")
    except Exception as err:  # the toy model is trained separately and may not be in this checkout yet
        pytest.skip(f"the built-in toy model does not load here ({type(err).__name__}: {err})")
    configs = load_configs()
    hyper = configs.method("ZeroShot").resolve("toy_attacker", configs.models).hyperparameters
    behaviors = [text_demo[0], next(b for b in text_demo if b.is_contextual)]
    try:
        results = run(get_attack("ZeroShot", hyper), behaviors, load_model=loader(toy), seed=0)
    finally:
        toy.close()
    assert list(results) == [b.behavior_id for b in behaviors]
    for b in behaviors:
        cases = results[b.behavior_id].test_cases
        assert len(cases) == 2
        assert all(isinstance(c, str) and c.split(ZEROSHOT_CONTEXT_SEPARATOR)[-1].strip() for c in cases)
        assert results[b.behavior_id].cost.tokens_out > 0


def test_zero_shot_on_a_real_hf_backend(tmp_path, text_demo):
    """The real `hf` path (chat template, completion prefix, stop string, seed) on a tiny random-weight Llama."""
    from harmbench.models import get_target
    from tiny_models import make_tiny_llama

    target = get_target({"model_name_or_path": str(make_tiny_llama(tmp_path / "tiny"))})
    behaviors = [text_demo[0], next(b for b in text_demo if b.is_contextual)]

    def once():
        attack = get_attack("ZeroShot", {"attacker": "tiny", "num_test_cases_per_behavior": 2,
                                          "generation_config": {"max_tokens": 8}})
        return {k: r.test_cases for k, r in run(attack, behaviors, load_model=loader(target), seed=5).items()}

    first = once()
    assert first == once()  # same seed, same behaviors: same test cases
    for b in behaviors:
        assert len(first[b.behavior_id]) == 2
        assert all(isinstance(c, str) and "\n" not in c.split(ZEROSHOT_CONTEXT_SEPARATOR)[-1]
                   for c in first[b.behavior_id])
    prefix = behaviors[1].context_string + ZEROSHOT_CONTEXT_SEPARATOR
    assert all(c.startswith(prefix) for c in first[behaviors[1].behavior_id])
