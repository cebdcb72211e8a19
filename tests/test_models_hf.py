"""The `hf` backend and the white-box interface, on a tiny random-weight Llama built on the spot."""

from __future__ import annotations

import pytest
import torch

from conftest import run_cli
from harmbench import get_target
from harmbench.errors import ConfigError
from harmbench.models import GenerationConfig, GenerationRequest, Target
from tiny_models import make_tiny_llama


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return make_tiny_llama(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="module")
def tiny(tiny_dir):
    return get_target({"model_name_or_path": str(tiny_dir)})


PROMPTS = ["Write a poem", "Explain how rainbows form after a summer storm, step by step, please", "Hi",
           "The quick brown fox jumps over the lazy dog while birds sing in the city"]


def test_is_a_target(tiny):
    assert isinstance(tiny, Target)


def test_batched_equals_one_at_a_time(tiny):
    """Left padding and length sorting must not change greedy outputs, and order is kept."""
    requests = [GenerationRequest.user(p) for p in PROMPTS]
    config = GenerationConfig(max_new_tokens=12)
    batched = tiny.generate(requests, config)
    single = [tiny.generate([r], config)[0] for r in requests]
    assert [g.text for g in batched] == [g.text for g in single]
    assert [g.tokens_in for g in batched] == [len(tiny.encode(tiny.format(r))) for r in requests]
    tiny.batch_size = 3  # uneven batches too
    assert [g.text for g in tiny.generate(requests, config)] == [g.text for g in single]
    tiny.batch_size = 32


def test_greedy_is_deterministic_and_reports_length(tiny):
    request = [GenerationRequest.user("Write a story about a cat")]
    first = tiny.generate(request, GenerationConfig(max_new_tokens=10))[0]
    assert first == tiny.generate(request, GenerationConfig(max_new_tokens=10))[0]
    assert first.finish_reason == "length" and first.tokens_out == 10


def test_sampling_with_seed_is_reproducible(tiny):
    request = [GenerationRequest.user("Write a story")]
    config = GenerationConfig(max_new_tokens=10, temperature=1.0, seed=7)
    assert tiny.generate(request, config)[0].text == tiny.generate(request, config)[0].text


def test_stop_strings_cut_the_text(tiny):
    request = [GenerationRequest.user("Write a poem")]
    full = tiny.generate(request, GenerationConfig(max_new_tokens=16))[0].text
    stop = full.strip()[3:5]
    assert stop.strip()
    cut = tiny.generate(request, GenerationConfig(max_new_tokens=16, stop=(stop,)))[0]
    assert stop not in cut.text and full.startswith(cut.text) and cut.finish_reason == "stop"


def test_raw_prompt_and_chat_formatting(tiny):
    assert tiny.format(GenerationRequest.raw("as is")) == "as is"
    assert tiny.format(GenerationRequest.user("hi", system="S")) == "<|system|>\nS<|end|>\n<|user|>\nhi<|end|>\n<|assistant|>\n"
    assert tiny.encode("x")[0] == tiny.tokenizer.bos_token_id  # BOS from tokenization, not the template


def test_named_template_from_config(tiny_dir):
    target = get_target({"model_name_or_path": str(tiny_dir), "chat_template": "llama-2"})
    assert target.format(GenerationRequest.user("hi")).startswith("[INST] <<SYS>>\nYou are a helpful")


@pytest.mark.parametrize(
    "extra,message",
    [({"dtype": "float8"}, "unsupported dtype 'float8'"),
     ({"chat_template": "llama3"}, "unknown chat_template 'llama3'"),
     ({"fschat_template": "vicuna_v1.1"}, "fschat_template"),
     ({"backend": "tgi"}, "unknown backend 'tgi'")],
)
def test_bad_model_options(tiny_dir, extra, message):
    with pytest.raises(ConfigError, match=message):
        get_target({"model_name_or_path": str(tiny_dir), **extra})


def test_no_chat_template_anywhere(tmp_path):
    path = make_tiny_llama(tmp_path / "bare", chat_template=None)
    with pytest.raises(ConfigError, match="has no chat template"):
        get_target({"model_name_or_path": str(path)})


def test_missing_model_path_and_unknown_name():
    with pytest.raises(ConfigError, match="does not exist"):
        get_target({"model_name_or_path": "/no/such/model"})
    with pytest.raises(ConfigError, match="unknown model 'llama2_7bb'"):
        get_target("llama2_7bb")
    with pytest.raises(ConfigError, match="multimodal"):
        get_target("llava_v1_5")


def test_whitebox_loss_matches_a_plain_forward(tiny):
    wb = tiny.whitebox()
    slot = wb.split("Write a poem about the sea ", "Sure, here is a poem")
    torch.manual_seed(0)
    suffixes = torch.randint(10, 250, (5, 4))
    cached = wb.target_loss(suffixes, slot)
    uncached = wb.target_loss(suffixes, slot, use_prefix_cache=False)
    chunked = wb.target_loss(suffixes, slot, batch_size=2)
    assert torch.allclose(cached, uncached, atol=1e-5) and torch.allclose(cached, chunked, atol=1e-5)
    # Reference: token ids through the model, labels only on the target.
    for row in range(5):
        ids = torch.cat([slot.prefix_ids, suffixes[row:row + 1], slot.after_ids, slot.target_ids], dim=1)
        labels = torch.full_like(ids, -100)
        labels[:, -slot.target_ids.shape[1]:] = slot.target_ids
        with torch.no_grad():
            reference = tiny.model(input_ids=ids, labels=labels).loss
        assert torch.allclose(cached[row], reference, atol=1e-5)


def test_whitebox_layout_follows_the_chat_format(tiny):
    wb = tiny.whitebox()
    slot = wb.split("Tell me a joke ", "Sure")
    decoded = tiny.tokenizer.decode(torch.cat([slot.before_ids, slot.behavior_ids, slot.after_ids], 1)[0])
    assert decoded == "<s>" + tiny.format(GenerationRequest.user("Tell me a joke "))
    assert slot.before_ids[0, 0].item() == tiny.tokenizer.bos_token_id
    embeds = wb.embed(slot.target_ids)
    assert embeds.shape == (1, slot.target_ids.shape[1], wb.embedding_matrix().shape[1])


def test_gradient_flows_to_suffix_embeddings(tiny):
    wb = tiny.whitebox()
    slot = wb.cache_prefix(wb.split("Write a poem ", "Sure, here is"))
    one_hot = torch.nn.functional.one_hot(torch.tensor([[20, 21, 22]]), wb.embedding_matrix().shape[0]).float()
    one_hot.requires_grad_(True)
    loss = wb.target_loss_from_embeds(one_hot @ wb.embedding_matrix(), slot)
    (grad,) = torch.autograd.grad(loss.sum(), one_hot)
    assert grad.shape == one_hot.shape and grad.abs().sum() > 0


def test_unknown_model_on_the_cli():
    result = run_cli("generate", "--model", "no_such_model", "hello")
    assert result.returncode == 2 and "unknown model 'no_such_model'" in result.stderr and "Traceback" not in result.stderr


def test_batch_halves_on_simulated_gpu_oom(tiny, monkeypatch):
    """No GPU here: a stand-in raises CUDA's out-of-memory error for batches above 2."""
    real = tiny._generate_batch
    sizes = []

    def fake_oom(batch, config):
        sizes.append(len(batch))
        if len(batch) > 2:
            raise torch.cuda.OutOfMemoryError("simulated")
        return real(batch, config)

    requests = [GenerationRequest.user(p) for p in PROMPTS]
    expected = [g.text for g in tiny.generate(requests, GenerationConfig(max_new_tokens=6))]
    monkeypatch.setattr(tiny, "_generate_batch", fake_oom)
    got = tiny.generate(requests, GenerationConfig(max_new_tokens=6))
    assert [g.text for g in got] == expected
    assert sizes[:3] == [4, 2, 2]
