"""The white-box toolkit (harmbench.attacks.optim) and GCG/AutoPrompt on tiny and toy models."""

from __future__ import annotations

import pytest
import torch

from harmbench.attacks import AttackContext, get_attack
from harmbench.attacks import optim
from harmbench.behaviors import load_behaviors
from harmbench.errors import ConfigError
from harmbench.models import get_target
from harmbench.pipeline.run import ModelCache
from tests.tiny_models import make_tiny_llama


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return get_target({"model_name_or_path": str(make_tiny_llama(tmp_path_factory.mktemp("tiny") / "model"))})


@pytest.fixture(scope="module")
def standard():
    return [b for b in load_behaviors("demo") if b.functional_category == "standard"]


def _gcg(**hp):
    return get_attack("GCG", {"target_model": "toy", "num_steps": 4, "search_width": 64, **hp})


def _run(attack, behaviors, seed=0):
    return list(attack.generate(behaviors, AttackContext(load_model=ModelCache(None), seed=seed)))


def test_token_gradient_matches_finite_differences(tiny):
    """d loss / d one-hot against central differences of the relaxed one-hot, in float64."""
    tiny.model.double()
    try:
        wb = tiny.whitebox()
        slot = wb.cache_prefix(wb.split("Write a poem about the sea ", "Sure, here is a poem"))
        ids = torch.tensor([20, 31, 42])
        grad = optim.token_gradient(wb, ids, slot)
        weights = wb.embedding_matrix()
        one_hot = torch.nn.functional.one_hot(ids, weights.shape[0]).double()

        def loss(x):
            with torch.no_grad():
                return wb.target_loss_from_embeds((x @ weights).unsqueeze(0), slot)[0].item()

        # Llama's RMSNorm computes in float32 even in a float64 model, so the loss carries float32
        # noise: check the largest entries with a step the noise cannot swamp.
        eps = 1e-3
        largest = grad.abs().flatten().topk(4).indices
        for pos, tok in [divmod(int(i), grad.shape[1]) for i in largest] + [(1, 100)]:
            bump = torch.zeros_like(one_hot)
            bump[pos, tok] = eps
            numeric = (loss(one_hot + bump) - loss(one_hot - bump)) / (2 * eps)
            assert grad[pos, tok].item() == pytest.approx(numeric, rel=1e-2, abs=1e-4)
    finally:
        tiny.model.float()


def test_cached_prefix_loss_equals_uncached_and_repeats(tiny):
    wb = tiny.whitebox()
    slot = wb.split("Explain how rainbows form ", "Sure, here is how")
    cands = torch.randint(10, 250, (37, 5), generator=torch.Generator().manual_seed(1))
    uncached = wb.target_loss(cands, slot, use_prefix_cache=False)
    first = wb.target_loss(cands, slot, batch_size=8)
    again = wb.target_loss(cands, slot)  # the stored prefix cache must not grow between calls
    assert torch.allclose(first, uncached, atol=1e-5) and torch.allclose(again, first, atol=1e-6)


def test_retokenization_mask_drops_ids_that_merge(tiny):
    tok = tiny.tokenizer
    good = tok("Sure, here is a short poem", add_special_tokens=False)["input_ids"]
    pieces = tok.convert_ids_to_tokens(good)
    k = max(range(len(pieces)), key=lambda i: len(pieces[i]))
    assert len(pieces[k]) > 1  # a merged token
    # The same text with that token spelled out character by character re-encodes merged.
    spelled = good[:k] + [tok.convert_tokens_to_ids(c) for c in pieces[k]] + good[k + 1:]
    assert optim.retokenization_mask(tok, torch.tensor([good])).tolist() == [True]
    assert optim.retokenization_mask(tok, torch.tensor([spelled])).tolist() == [False]


def test_disallowed_tokens_as_upstream(tiny):
    tok = tiny.tokenizer
    mask = set(optim.disallowed_token_ids(tok).tolist())
    assert {tok.bos_token_id, tok.eos_token_id, tok.pad_token_id, tok.unk_token_id} <= mask
    texts = {i: tok.decode([i]) for i in range(3, tok.vocab_size)}
    assert all(not (t.isascii() and t.isprintable()) for i, t in texts.items() if i in mask - {1, 2, 3, 0})
    assert all(i in mask for i, t in texts.items() if not (t.isascii() and t.isprintable()))
    assert len(optim.disallowed_token_ids(tok, allow_non_ascii=True)) == 4


def test_sampling_sweeps_positions_and_draws_from_top_k():
    gen = torch.Generator().manual_seed(0)
    ids = torch.tensor([5, 6, 7, 8])
    grad = torch.randn(4, 50, generator=gen)
    top = optim.top_k_tokens(grad, torch.tensor([0, 1, 2]), topk=10)
    assert not set(top.flatten().tolist()) & {0, 1, 2}
    cands = optim.sample_sweep(ids, top, 16, gen)
    changed = (cands != ids).nonzero()
    assert (cands != ids).sum(1).max() <= 1
    positions = torch.arange(0, 4, 4 / 16).long()
    for row, pos in changed.tolist():
        assert pos == positions[row] and cands[row, pos] in top[pos]
    one = optim.sample_one_position(ids, top, 16, gen)
    assert len({p for _, p in (one != ids).nonzero().tolist()}) <= 1


def test_candidate_losses_dedupe_keeps_each_rows_loss(tiny):
    wb = tiny.whitebox()
    slot = wb.split("Write a story ", "Sure, here is")
    base = torch.randint(10, 250, (6, 4), generator=torch.Generator().manual_seed(2))
    cands = torch.cat([base, base[:3]])
    kept, losses = optim.candidate_losses(wb, cands, slot, filter_retokenization=False)
    assert torch.equal(kept, cands)
    assert torch.allclose(losses[0], wb.target_loss(cands, slot), atol=1e-6)


def test_scoring_from_the_current_suffix_prefix_gives_the_same_losses(tiny):
    wb = tiny.whitebox()
    slot = wb.split("Write a story ", "Sure, here is")
    current = torch.tensor([40, 41, 42, 43, 44])
    gen = torch.Generator().manual_seed(3)
    top = torch.randint(10, 250, (5, 16), generator=gen)
    cands = torch.cat([optim.sample_sweep(current, top, 40, gen), current.reshape(1, -1)])
    _, plain = optim.candidate_losses(wb, cands, slot, filter_retokenization=False)
    _, shared = optim.candidate_losses(wb, cands, slot, filter_retokenization=False, current=current)
    assert torch.allclose(plain, shared, atol=1e-5)
    assert wb.extend_prefix(slot, current)[0][0].shape[2] == slot.prefix_ids.shape[1] + 5


def test_gcg_lowers_the_loss_on_the_toy_and_is_reproducible(standard):
    first = _run(_gcg(num_steps=6), standard[:1])[0]
    log = first.logs[0]
    assert log["all_losses"][-1] < log["all_losses"][0] and len(log["all_losses"]) == 6
    assert first.test_cases[0].startswith(standard[0].behavior + " ")
    assert first.test_cases[0] == log["all_test_cases"][-1]  # the last step's test case, as upstream
    assert first.cost.forward_passes > 0 and first.cost.backward_passes == 6
    again = _run(_gcg(num_steps=6), standard[:1])[0]
    other = _run(_gcg(num_steps=6), standard[:1], seed=1)[0]
    assert again.test_cases == first.test_cases and other.test_cases != first.test_cases


def test_gcg_contextual_behavior_keeps_the_context():
    contextual = [b for b in load_behaviors("demo") if b.is_contextual][:1]
    result = _run(_gcg(num_steps=1, search_width=16), contextual)[0]
    assert result.test_cases[0].startswith(contextual[0].context_string + "\n\n---\n\n" + contextual[0].behavior)


def test_gcg_early_stopping_rules(standard, monkeypatch):
    stopped = _run(_gcg(num_steps=5, early_stopping=True, early_stopping_min_loss=100.0), standard[:1])[0]
    assert len(stopped.logs[0]["all_losses"]) == 1
    # The refusal check runs when the loss is low enough; the toy refuses, so the search goes on.
    checked = _run(_gcg(num_steps=3, eval_steps=1, eval_with_check_refusal=True, check_refusal_min_loss=100.0),
                   standard[:1])[0]
    assert len(checked.logs[0]["all_losses"]) == 3
    # A fake check that says "answered" (the toy never answers in 3 steps) stops at the first eval.
    monkeypatch.setattr("harmbench.attacks.gcg.check_refusal", lambda target, cases: [False])
    fake = _run(_gcg(num_steps=5, eval_steps=2, eval_with_check_refusal=True, check_refusal_min_loss=100.0),
                standard[:1])[0]
    assert len(fake.logs[0]["all_losses"]) == 1


def test_autoprompt_changes_one_shared_position(standard):
    result = _run(get_attack("AutoPrompt", {"target_model": "toy", "num_steps": 3, "search_width": 32}),
                  standard[:1])[0]
    cases = result.logs[0]["all_test_cases"]
    assert len(cases) == 3 and result.logs[0]["all_losses"][-1] < 10


def test_refusal_check_on_the_toy():
    toy = get_target("toy")
    harmful = [b.behavior for b in load_behaviors("demo") if b.functional_category == "standard"][:2]
    assert optim.check_refusal(toy, harmful) == [True, True]
    assert optim.check_refusal(toy, ["What is the capital of France?"]) == [False]


def test_bad_hyperparameters(tmp_path):
    with pytest.raises(ConfigError, match="num_steps must be a positive integer"):
        _gcg(num_steps=0)
    with pytest.raises(ConfigError, match="needs a target_model"):
        get_attack("GCG", {})
    targets = tmp_path / "targets.json"
    targets.write_text('{"some_other_behavior": "Sure, here is"}')
    with pytest.raises(ConfigError, match="has no target in"):
        list(get_attack("GCG", {"target_model": "toy", "targets_path": str(targets)}).generate(
            load_behaviors("demo")[:1], AttackContext(load_model=ModelCache(None))))
