"""UAT (HotFlip trigger search, spec §4.5) on the CPU toy model, plus its sweep on a fake loss."""

from __future__ import annotations

import itertools

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from harmbench.attacks import AttackContext, attack_classes, get_attack
from harmbench.attacks.optim import token_gradient
from harmbench.attacks.uat import ADV_STRING_INIT, UAT, hotflip_sweep
from harmbench.config import load_configs
from harmbench.errors import ConfigError
from tests.whitebox_fixtures import behaviors, models, one_torch_thread  # noqa: F401 (fixtures)

STEPS = 4


def run(models, behaviors, seed=0, **hyperparameters):
    attack = get_attack("UAT", {"target_model": "toy", **hyperparameters})
    return list(attack.generate(behaviors, AttackContext(load_model=models, seed=seed)))


def initial(models, behavior, init=ADV_STRING_INIT):
    """(loss, test case) of the initial trigger, computed independently of the attack."""
    wb = models("toy").whitebox()
    slot = wb.split(behavior.prompt(optimizer=True), behavior.target)
    ids = wb.encode(init)
    return float(wb.target_loss(ids, slot)[0]), wb.tokenizer.decode(torch.cat([slot.behavior_ids[0], ids[0]]))


@pytest.fixture(scope="module")
def results(models, behaviors):
    return run(models, behaviors, num_steps=STEPS)


# ---------------------------------------------------------------- the sweep, on a fake loss


def fake_score(good: dict[tuple[int, int], float], base: float = 5.0):
    """Loss = base minus the bonus of each (position, token) the candidate holds."""
    def score(candidates: torch.Tensor) -> torch.Tensor:
        return torch.tensor([base - sum(good.get((p, int(t)), 0.0) for p, t in enumerate(row)) for row in candidates])
    return score


def test_sweep_accepts_only_improvements_and_resets_the_counter():
    ids = torch.zeros(4, dtype=torch.long)
    top = torch.tensor([[1, 2], [3, 4], [5, 6], [7, 8]])
    ids, best, counter, stop = hotflip_sweep(ids, top, 5.0, 2, fake_score({(1, 4): 1.0, (2, 5): 0.5}))
    assert ids.tolist() == [0, 4, 5, 0] and best == pytest.approx(3.5)
    assert (counter, stop) == (1, False)  # reset at position 1 and 2, then position 3 failed


def test_sweep_stops_when_the_counter_reaches_the_trigger_length():
    ids, top = torch.zeros(4, dtype=torch.long), torch.tensor([[1], [2], [3], [4]])
    calls = []

    def no_gain(candidates):
        calls.append(candidates.clone())
        return torch.full((candidates.shape[0],), 5.0)  # equal to the best: not an improvement

    assert hotflip_sweep(ids, top, 5.0, 0, no_gain)[2:] == (4, True) and len(calls) == 4
    calls.clear()  # a counter carried over from the previous step stops the sweep earlier
    out, best, counter, stop = hotflip_sweep(ids, top, 5.0, 2, no_gain)
    assert (counter, stop, len(calls)) == (4, True, 2) and torch.equal(out, ids) and best == 5.0
    assert [c[0].tolist() for c in calls] == [[1, 0, 0, 0], [0, 2, 0, 0]]  # one swap per candidate


def test_hotflip_score_is_the_one_hot_gradient(models, behaviors):
    """HotFlip's score (d loss / d embedding output) . embedding == d loss / d one-hot."""
    wb = models("toy").whitebox()
    slot = wb.split(behaviors[0].prompt(optimizer=True), behaviors[0].target)
    ids = wb.encode(ADV_STRING_INIT)[0]
    embeds = wb.embed(ids).detach().unsqueeze(0).requires_grad_(True)
    (grad_embeds,) = torch.autograd.grad(wb.target_loss_from_embeds(embeds, slot, False).sum(), embeds)
    hotflip = grad_embeds[0] @ wb.embedding_matrix().detach().T
    torch.testing.assert_close(token_gradient(wb, ids, slot, False), hotflip, rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- the attack on the toy model


def test_one_test_case_per_behavior_with_behavior_and_context(results, behaviors):
    assert [r.behavior_id for r in results] == [b.behavior_id for b in behaviors]
    for result, behavior in zip(results, behaviors):
        (case,) = result.test_cases
        assert isinstance(case, str) and behavior.behavior in case
        assert case.startswith(behavior.context_string if behavior.is_contextual else behavior.behavior)
        (logs,) = result.logs
        assert set(logs) == {"best_loss", "all_losses", "all_test_cases", "step_wall_s"}
        assert logs["all_test_cases"][-1] == case and logs["best_loss"] == logs["all_losses"][-1]
    assert behaviors[-1].is_contextual


def test_loss_never_increases_and_the_trigger_changes(results, behaviors, models):
    for result, behavior in zip(results, behaviors):
        logs = result.logs[0]
        start, init_case = initial(models, behavior)
        losses = [start, *logs["all_losses"]]
        assert len(logs["all_losses"]) == STEPS  # too few steps to stop early
        assert all(b <= a for a, b in itertools.pairwise(losses)), losses
        assert logs["best_loss"] < start - 0.1
        assert result.test_cases[0] != init_case


def test_cost_counts_one_gradient_per_position_and_every_candidate(results, models, behaviors):
    wb = models("toy").whitebox()
    length = wb.encode(ADV_STRING_INIT).shape[1]
    for result in results:
        # the initial loss, then num_candidates per position per step (no early stop here)
        assert result.cost.forward_passes == 1 + STEPS * length * 3
        assert result.cost.backward_passes == STEPS * length


def test_stops_after_a_sweep_without_gain_and_is_deterministic(models, behaviors):
    behavior = behaviors[:1]
    first = run(models, behavior, seed=0, num_steps=40, num_candidates=1, adv_string_init="! ! !")[0]
    again = run(models, behavior, seed=0, num_steps=40, num_candidates=1, adv_string_init="! ! !")[0]
    other_seed = run(models, behavior, seed=7, num_steps=40, num_candidates=1, adv_string_init="! ! !")[0]
    logs = first.logs[0]
    assert len(logs["all_losses"]) < 40  # ended by the counter, not by num_steps
    assert logs["all_losses"][-1] == logs["all_losses"][-2]  # the last full sweep brought nothing
    assert first.cost.backward_passes <= 3 * len(logs["all_losses"])  # a gradient per position tried
    assert (again.test_cases, again.logs[0]["all_losses"]) == (first.test_cases, logs["all_losses"])
    assert other_seed.test_cases == first.test_cases  # UAT draws nothing at random


def test_num_test_cases_per_behavior(models, behaviors):
    (result,) = run(models, behaviors[:1], num_steps=1, num_candidates=1, adv_string_init="! !",
                    num_test_cases_per_behavior=3, test_cases_batch_size=2)
    assert len(result.test_cases) == len(result.logs) == 3 and len(set(result.test_cases)) == 1


# ---------------------------------------------------------------- hyperparameters and config


@pytest.mark.parametrize("key, value", [("num_steps", 0), ("num_candidates", 0), ("num_candidates", "3"),
                                        ("eval_steps", -1), ("num_steps", 2.5), ("num_test_cases_per_behavior", 0)])
def test_bad_hyperparameters(key, value):
    with pytest.raises(ConfigError, match=key):
        get_attack("UAT", {"target_model": "toy", key: value})


def test_missing_target_and_empty_trigger(models, behaviors):
    with pytest.raises(ConfigError, match="target_model"):
        get_attack("UAT", {})
    with pytest.raises(ConfigError, match="adv_string_init"):
        run(models, behaviors[:1], adv_string_init="")


def test_registered_with_class_defaults():
    assert attack_classes()["UAT"] is UAT
    attack = UAT(target_model="toy")
    assert (attack.num_steps, attack.num_candidates, attack.eval_steps, attack.use_prefix_cache) == (50, 3, 2, True)
    assert attack.adv_string_init == " ".join(["!"] * 20)


def test_config_toy_experiment_and_upstream_agreement(shared_configs):
    ours, upstream = load_configs(None), load_configs(shared_configs)
    toy = ours.method("UAT").resolve("toy", ours.models).hyperparameters
    assert toy["target_model"]["model_name_or_path"] == "builtin:toy-chat" and toy["num_steps"] == 50
    assert (toy["num_candidates"], toy["use_prefix_cache"]) == (3, True)
    theirs, _ = upstream.method("UAT").all_experiments(upstream.models)
    assert len(theirs) > 30
    for name, experiment in theirs.items():  # models.yaml entries differ (API tokens, ...): compare the rest
        mine = dict(ours.method("UAT").resolve(name, ours.models).hyperparameters)
        assert mine.pop("target_model") and mine == {k: v for k, v in experiment.hyperparameters.items()
                                                     if k != "target_model"}, name
