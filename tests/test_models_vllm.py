"""The `vllm` backend. Needs a CUDA GPU and the `vllm` extra; skipped (and reported skipped) elsewhere."""

from __future__ import annotations

import importlib.util

import pytest

torch = pytest.importorskip("torch")
pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine"),
    pytest.mark.skipif(importlib.util.find_spec("vllm") is None, reason="the vllm extra is not installed"),
]


def test_vllm_matches_hf_greedy_on_the_toy_model():
    from harmbench import get_target
    from harmbench.models import GenerationConfig, GenerationRequest

    requests = [GenerationRequest.user(p) for p in ("Write a haiku about autumn", "Give me a pasta recipe")]
    config = GenerationConfig(max_new_tokens=32)
    vllm_target = get_target("toy", backend="vllm")
    vllm_out = vllm_target.generate(requests, config)
    vllm_target.close()
    hf_out = get_target("toy", backend="hf").generate(requests, config)
    assert [g.text for g in vllm_out] == [g.text for g in hf_out]
    assert all(g.tokens_out and g.finish_reason in ("stop", "length") for g in vllm_out)
