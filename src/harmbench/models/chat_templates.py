"""Chat formatting: the tokenizer's own template, or one of upstream's named target templates.

Upstream formats a test case for models whose tokenizers lack a usable template with named
prompt strings (spec §3.3). Those strings are the formats the models were trained on, so they are
kept verbatim here and rendered as Jinja chat templates: one user turn gives exactly upstream's
string. A system message replaces the template's own system text where it has one, and is put
before the user text otherwise. Named templates take one user turn; multi-turn chats need a
tokenizer template.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache

from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from harmbench.errors import ConfigError

# Upstream's named templates; `{instruction}` marks the test case.
NAMED_TEMPLATES: dict[str, str] = {
    'wizard': "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions. USER: {instruction} ASSISTANT:",
    'vicuna': "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions. USER: {instruction} ASSISTANT:",
    'oasst': "<|prompter|>{instruction}<|endoftext|><|assistant|>",
    'oasst_v1_1': "<|prompter|>{instruction}</s><|assistant|>",
    'llama-2': "[INST] <<SYS>>\nYou are a helpful, respectful and honest assistant. Always answer as helpfully as possible, while being safe. Your answers should not include any harmful, unethical, racist, sexist, toxic, dangerous, or illegal content. Please ensure that your responses are socially unbiased and positive in nature.\n\nIf a question does not make any sense, or is not factually coherent, explain why instead of answering something not correct. If you don't know the answer to a question, please don't share false information.\n<</SYS>>\n\n{instruction} [/INST] ",
    'falcon_instruct': "User: {instruction}\nAssistant:",
    'falcon_chat': "User: {instruction}\nFalcon:",
    'mpt': "<|im_start|>system\nA conversation between a user and an LLM-based AI assistant. The assistant gives helpful and honest answers.<|im_end|><|im_start|>user\n{instruction}<|im_end|>\n<|im_start|>assistant\n",
    'koala': "BEGINNING OF CONVERSATION: USER: {instruction} GPT:",
    'dolly': "Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:\n",
    'internlm': "<|User|>:{instruction}<eoh><|Bot|>:",
    'mistral': "[INST] {instruction} [/INST]",
    'mixtral': "[INST] {instruction} [/INST]",
    'orca-2': "<|im_start|>system\nYou are Orca, an AI language model created by Microsoft. You are a cautious assistant. You carefully follow instructions. You are helpful and harmless and you follow ethical guidelines and promote positive behavior.<|im_end|>\n<|im_start|>user\n{instruction}<|im_end|>\n<|im_start|>assistant",
    'baichuan2': "<reserved_106>{instruction}<reserved_107>",
    'qwen': "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n{instruction}<|im_end|>\n<|im_start|>assistant\n",
    'qwen-no-think': "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n{instruction}<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
    'zephyr_7b_robust': "<|user|>\n{instruction}</s>\n<|assistant|>\n",
}

LLAMA2_DEFAULT_SYSTEM_PROMPT = NAMED_TEMPLATES["llama-2"].split("<<SYS>>\n", 1)[1].split("\n<</SYS>>", 1)[0]

# The system text inside each template that a request's system message replaces.
_SYSTEM_TEXT = {
    "wizard": NAMED_TEMPLATES["wizard"].split(" USER:", 1)[0],
    "vicuna": NAMED_TEMPLATES["vicuna"].split(" USER:", 1)[0],
    "llama-2": LLAMA2_DEFAULT_SYSTEM_PROMPT,
    "mpt": "A conversation between a user and an LLM-based AI assistant. The assistant gives helpful and honest answers.",
    "orca-2": NAMED_TEMPLATES["orca-2"].split("system\n", 1)[1].split("<|im_end|>", 1)[0],
    "qwen": "You are a helpful assistant.",
    "qwen-no-think": "You are a helpful assistant.",
}


def _jinja_for(name: str) -> str:
    """A Jinja chat template that renders a one-user-turn chat exactly as upstream's string."""
    before, after = NAMED_TEMPLATES[name].split("{instruction}")
    system = _SYSTEM_TEXT.get(name)
    lit = json.dumps  # Jinja string literals accept JSON's escapes
    if system is not None:
        head_a, head_b = before.split(system, 1)
        head = f"{{{{ {lit(head_a)} }}}}{{{{ system }}}}{{{{ {lit(head_b)} }}}}"
        user = "{{ turns[0]['content'] }}"
        default_system = lit(system)
    else:  # no system slot: a system message goes before the user's text
        head = f"{{{{ {lit(before)} }}}}"
        user = "{% if system %}{{ system + '\\n\\n' }}{% endif %}{{ turns[0]['content'] }}"
        default_system = "''"
    return (
        "{%- if messages and messages[0]['role'] == 'system' -%}"
        "{%- set system = messages[0]['content'] -%}{%- set turns = messages[1:] -%}"
        f"{{%- else -%}}{{%- set system = {default_system} -%}}{{%- set turns = messages -%}}{{%- endif -%}}"
        "{%- if turns | length != 1 or turns[0]['role'] != 'user' -%}"
        f"{{{{ raise_exception('the {name} template takes one user message (after an optional system message)') }}}}"
        "{%- endif -%}"
        f"{head}{user}{{{{ {lit(after)} }}}}"
    )


def named_template(name: str) -> str:
    """The Jinja chat template of upstream's named template `name`."""
    if name not in NAMED_TEMPLATES:
        raise ConfigError(f"unknown chat_template {name!r}", hint=f"use one of: {', '.join(NAMED_TEMPLATES)}; "
                          "or leave chat_template out to use the tokenizer's own template")
    return _jinja_for(name)


def _raise(message: str) -> None:
    raise TemplateError(message)


@lru_cache(maxsize=64)
def _compile(template: str):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = _raise
    return env.from_string(template)


def render(template: str, messages: Sequence[dict], *, add_generation_prompt: bool = True,
           bos_token: str = "", eos_token: str = "") -> str:
    """Render a chat template as transformers does, with a clear error for unsupported chats."""
    try:
        return _compile(template).render(messages=list(messages), add_generation_prompt=add_generation_prompt,
                                          bos_token=bos_token, eos_token=eos_token)
    except TemplateError as err:
        raise ConfigError(f"cannot format this chat: {err}") from None


class ChatFormatter:
    """Turns a request into the prompt string a local model sees; BOS is left to tokenization.

    Upstream removes the BOS string from rendered templates because the tokenizer adds it again
    when encoding (spec §3.3); a leading BOS is stripped here for the same reason, when the
    tokenizer does add it.
    """

    def __init__(self, template: str, tokenizer, system_message: str | None = None):
        self.template = template
        self.bos = tokenizer.bos_token or ""
        self.eos = tokenizer.eos_token or ""
        self.system_message = system_message
        # Strip the template's BOS only where encoding adds it back; a tokenizer that adds no special
        # tokens (the toy's) relies on the template's.
        ids = tokenizer("x", add_special_tokens=True)["input_ids"] if self.bos else []
        self.strip_bos = bool(ids) and ids[0] == tokenizer.bos_token_id

    def __call__(self, request) -> str:
        if request.prompt is not None:
            return request.prompt
        messages = [{"role": m.role, "content": m.content} for m in request.messages]
        if self.system_message and messages[0]["role"] != "system":
            messages.insert(0, {"role": "system", "content": self.system_message})
        text = render(self.template, messages, bos_token=self.bos, eos_token=self.eos)
        return text[len(self.bos):] if self.strip_bos and text.startswith(self.bos) else text
