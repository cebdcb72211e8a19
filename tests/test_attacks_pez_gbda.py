"""PEZ and GBDA (spec §4.6, §4.7) on the CPU toy model, plus their building blocks."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from harmbench.attacks import AttackContext, attack_classes, get_attack
from harmbench.attacks.gbda import GBDA, gumbel_softmax
from harmbench.attacks.pez import PEZ, _StraightThrough, nearest_tokens
from harmbench.config import load_configs
from harmbench.errors import ConfigError
from tests.whitebox_fixtures import behaviors, models, one_torch_thread  # noqa: F401 (fixtures)

STEPS = 25
METHODS = ["PEZ", "GBDA"]
LR = {"PEZ": 0.01, "GBDA": 0.2}  # the YAML defaults (PEZ's class default, 1e-3, barely moves in 25 steps)


def run(models, name, behaviors, seed=0, **hyperparameters):
    attack = get_attack(name, {"target_model": "toy", "lr": LR[name], **hyperparameters})
    return list(attack.generate(behaviors, AttackContext(load_model=models, seed=seed)))


@pytest.fixture(scope="module", params=METHODS)
def results(request, models, behaviors):
    """3 test cases per behavior in calls of 2 and 1, STEPS steps each."""
    out = run(models, request.param, behaviors, num_steps=STEPS, num_test_cases_per_behavior=3,
              test_cases_batch_size=2)
    return request.param, out


# ---------------------------------------------------------------- full runs on the toy model


def test_test_cases_extend_the_behavior(results, behaviors):
    _, out = results
    assert [r.behavior_id for r in out] == [b.behavior_id for b in behaviors]
    for result, behavior in zip(out, behaviors):
        assert len(result.test_cases) == len(result.logs) == 3
        for case in result.test_cases:
            assert isinstance(case, str) and case.startswith(behavior.prompt(optimizer=True))
            assert len(case) > len(behavior.prompt(optimizer=True))  # a suffix was appended
            if behavior.is_contextual:
                assert case.startswith(behavior.context_string) and behavior.behavior in case
        assert "<s>" not in "".join(result.test_cases)  # decoded skipping special tokens


def test_logs_and_loss_goes_down(results, behaviors):
    name, out = results
    for result, behavior in zip(out, behaviors):
        for case, log in zip(result.test_cases, result.logs):
            assert set(log) >= {"final_loss", "all_losses", "all_test_cases", "step_wall_s"}
            losses = log["all_losses"]
            assert len(losses) == len(log["all_test_cases"]) == len(log["step_wall_s"]) == STEPS
            assert log["final_loss"] == losses[-1]
            assert log["all_test_cases"][-1] == case
            assert min(losses) < losses[0], (name, losses)
        if not behavior.is_contextual:  # 25 steps barely move the long contextual prompt
            # single steps bounce (GBDA's loss is that of a random sample): compare 5-step means
            first = sum(sum(log["all_losses"][:5]) for log in result.logs) / 15
            last = sum(sum(log["all_losses"][-5:]) for log in result.logs) / 15
            assert last < first - 0.05, (name, first, last)
        # the 3 test cases come from independent starts
        assert len(set(result.test_cases)) == 3


def test_cost_counts_one_forward_and_backward_per_test_case_and_step(results):
    _, out = results
    for result in out:
        assert result.cost.forward_passes == result.cost.backward_passes == 3 * STEPS
        assert result.cost.wall_s > 0


@pytest.mark.parametrize("name", METHODS)
def test_seeded(models, behaviors, name):
    one = behaviors[:1]
    a = run(models, name, one, seed=0, num_steps=3, num_test_cases_per_behavior=2, test_cases_batch_size=2)
    b = run(models, name, one, seed=0, num_steps=3, num_test_cases_per_behavior=2, test_cases_batch_size=2)
    c = run(models, name, one, seed=1, num_steps=3, num_test_cases_per_behavior=2, test_cases_batch_size=2)
    assert a[0].test_cases == b[0].test_cases
    assert [log["all_losses"] for log in a[0].logs] == [log["all_losses"] for log in b[0].logs]
    assert a[0].test_cases != c[0].test_cases


@pytest.mark.parametrize("name", METHODS)
def test_prefix_cache_changes_nothing(models, behaviors, name):
    one = behaviors[:1]
    cached = run(models, name, one, num_steps=3, num_test_cases_per_behavior=2, test_cases_batch_size=2)
    plain = run(models, name, one, num_steps=3, num_test_cases_per_behavior=2, test_cases_batch_size=2,
                use_prefix_cache=False)
    assert cached[0].test_cases == plain[0].test_cases
    for x, y in zip(cached[0].logs, plain[0].logs):
        assert x["all_losses"] == pytest.approx(y["all_losses"], abs=1e-4)


# ---------------------------------------------------------------- building blocks


def test_nearest_tokens_is_exact_cosine_search():
    g = torch.Generator().manual_seed(0)
    vocab = torch.randn(50, 8, generator=g) * torch.rand(50, 1, generator=g) * 5  # unequal norms
    soft = torch.randn(2, 3, 8, generator=g)
    ids = nearest_tokens(soft, torch.nn.functional.normalize(vocab, dim=-1))
    cos = torch.nn.functional.cosine_similarity(soft.reshape(-1, 1, 8), vocab.unsqueeze(0), dim=-1)
    assert ids.shape == (2, 3) and ids.reshape(-1).tolist() == cos.argmax(dim=1).tolist()
    assert nearest_tokens(vocab[[4, 7]].unsqueeze(0), torch.nn.functional.normalize(vocab, dim=-1)).tolist() == [[4, 7]]


def test_straight_through_passes_the_gradient_unchanged():
    soft = torch.randn(1, 2, 4, requires_grad=True)
    hard = torch.randn(1, 2, 4)
    weights = torch.randn(1, 2, 4)
    out = _StraightThrough.apply(soft, hard)
    assert torch.equal(out, hard)
    (out * weights).sum().backward()
    assert torch.equal(soft.grad, weights)


def test_gumbel_softmax_is_a_seeded_distribution():
    logits = torch.randn(2, 3, 10)
    a = gumbel_softmax(logits, 0.5, torch.Generator().manual_seed(3))
    b = gumbel_softmax(logits, 0.5, torch.Generator().manual_seed(3))
    assert torch.equal(a, b) and torch.allclose(a.sum(-1), torch.ones(2, 3)) and (a >= 0).all()
    sharp = gumbel_softmax(logits * 100, 0.1, torch.Generator().manual_seed(3))
    assert torch.equal(sharp.argmax(-1), logits.argmax(-1))


# ---------------------------------------------------------------- configuration


def test_registered_with_upstream_class_defaults():
    assert {"PEZ", "GBDA"} <= set(attack_classes())
    pez = get_attack("PEZ", {"target_model": "toy"})
    assert (pez.num_steps, pez.lr, pez.num_optim_tokens, pez.use_prefix_cache) == (100, 1e-3, 20, True)
    assert (pez.num_test_cases_per_behavior, pez.test_cases_batch_size) == (1, 1)
    gbda = get_attack("GBDA", {"target_model": "toy", "unknown_key": 1})
    assert (gbda.num_steps, gbda.lr, gbda.noise_scale, gbda.num_optim_tokens) == (50, 0.2, 0.2, 20)
    assert isinstance(pez, PEZ) and isinstance(gbda, GBDA)


@pytest.mark.parametrize("name, key, value", [
    ("PEZ", "num_steps", 0), ("PEZ", "num_optim_tokens", 2.5), ("PEZ", "lr", -0.1), ("PEZ", "lr", "fast"),
    ("PEZ", "num_test_cases_per_behavior", 0), ("GBDA", "num_steps", True), ("GBDA", "lr", 0),
    ("GBDA", "noise_scale", -1), ("GBDA", "num_optim_tokens", 0), ("GBDA", "test_cases_batch_size", "5"),
])
def test_bad_hyperparameters(name, key, value):
    with pytest.raises(ConfigError, match=key):
        get_attack(name, {"target_model": "toy", key: value})


def test_needs_a_target_model():
    with pytest.raises(ConfigError, match="target_model"):
        get_attack("PEZ", {})


def test_shipped_configs():
    configs = load_configs()
    pez, gbda = configs.method("PEZ"), configs.method("GBDA")
    hp = pez.resolve("llama2_7b", configs.models).hyperparameters
    assert {k: hp[k] for k in ("num_test_cases_per_behavior", "test_cases_batch_size", "num_steps", "lr",
                               "num_optim_tokens")} == {"num_test_cases_per_behavior": 5, "test_cases_batch_size": 5,
                                                        "num_steps": 500, "lr": 0.01, "num_optim_tokens": 20}
    hp = gbda.resolve("llama2_7b", configs.models).hyperparameters
    assert {k: hp[k] for k in ("num_steps", "lr", "noise_scale", "num_optim_tokens")} == {
        "num_steps": 500, "lr": 0.2, "noise_scale": 0.2, "num_optim_tokens": 20}
    for method in (pez, gbda):
        big = method.resolve("qwen_72b_chat", configs.models).hyperparameters
        assert (big["num_test_cases_per_behavior"], big["test_cases_batch_size"]) == (1, 1)
        toy = method.resolve("toy", configs.models).hyperparameters
        assert toy["target_model"] == configs.models.get("toy").raw["model"]
        assert toy["num_steps"] == 100 and toy["num_test_cases_per_behavior"] == toy["test_cases_batch_size"] == 5
    assert gbda.resolve("llama2_70b", configs.models).hyperparameters["target_model"]["dtype"] == "float16"
