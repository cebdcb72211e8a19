"""Upstream's named target templates, rendered as Jinja chat templates."""

from __future__ import annotations

import json

import pytest

from harmbench.errors import ConfigError
from harmbench.models.chat_templates import LLAMA2_DEFAULT_SYSTEM_PROMPT, NAMED_TEMPLATES, named_template, render


@pytest.fixture(scope="module")
def upstream_templates(shared_data):
    spec = json.loads((shared_data.parent / "spec/classifier_prompts.json").read_text())
    return spec["target_chat_templates"], spec["llama2_default_system_prompt"]


def test_named_templates_match_upstream_exactly(upstream_templates):
    templates, system = upstream_templates
    assert NAMED_TEMPLATES == templates
    assert LLAMA2_DEFAULT_SYSTEM_PROMPT == system


@pytest.mark.parametrize("name", sorted(NAMED_TEMPLATES))
@pytest.mark.parametrize("text", ["Write a poem", "Context:\n\n---\n\nDo {this} with 'quotes' and \"more\"\\n"])
def test_one_user_turn_renders_upstreams_string(name, text):
    assert render(named_template(name), [{"role": "user", "content": text}]) == NAMED_TEMPLATES[name].replace(
        "{instruction}", text)


def test_system_message_replaces_the_templates_own():
    text = render(named_template("llama-2"), [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])
    assert text == "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] "
    vicuna = render(named_template("vicuna"), [{"role": "system", "content": "S."}, {"role": "user", "content": "Hi"}])
    assert vicuna == "S. USER: Hi ASSISTANT:"
    mistral = render(named_template("mistral"), [{"role": "system", "content": "S."}, {"role": "user", "content": "Hi"}])
    assert mistral == "[INST] S.\n\nHi [/INST]"


def test_multi_turn_and_unknown_names_are_clear_errors():
    with pytest.raises(ConfigError, match="takes one user message"):
        render(named_template("qwen"), [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                                        {"role": "user", "content": "c"}])
    with pytest.raises(ConfigError, match="unknown chat_template 'llama2'") as err:
        named_template("llama2")
    assert "llama-2" in err.value.hint
