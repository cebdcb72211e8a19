"""Fixtures shared by the white-box attack tests (import them into a test module to use them)."""

from __future__ import annotations

import pytest
import torch

from harmbench.behaviors import load_behaviors
from harmbench.pipeline.run import ModelCache


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """These tests run many small batches; with 2 threads on a busy 2-core machine each batch waits
    on the other thread (several times slower), so a module runs single-threaded and restores after."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def models() -> ModelCache:
    return ModelCache(None)


@pytest.fixture(scope="module")
def behaviors():
    """Two standard demo behaviors and one contextual one."""
    text = [b for b in load_behaviors("demo") if not b.is_multimodal]
    return [b for b in text if b.functional_category == "standard"][:2] + [b for b in text if b.is_contextual][:1]
