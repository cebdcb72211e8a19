"""The `hf` backend: local transformers models, batched greedy generation, and white-box access."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from harmbench.config import ModelConfig
from harmbench.errors import ConfigError, HarmbenchError
from harmbench.models.base import Generation, GenerationConfig, GenerationRequest, apply_stop
from harmbench.models.chat_templates import ChatFormatter, named_template

log = logging.getLogger(__name__)

BUILTIN_PREFIX = "builtin:"
DTYPES = {
    "float16": torch.float16, "fp16": torch.float16, "half": torch.float16,
    "bfloat16": torch.bfloat16, "bf16": torch.bfloat16,
    "float32": torch.float32, "float": torch.float32, "auto": "auto",
}
# models.yaml `model` keys that are upstream's loader options but not from_pretrained arguments,
# or that belong to other backends and attacks; they are not forwarded.
_NOT_FORWARDED = {
    "model_name_or_path", "dtype", "use_fast_tokenizer", "chat_template", "fschat_template", "system_message",
    "pad_token", "eos_token", "padding_side", "legacy", "token", "num_gpus", "use_vllm", "model_short_name",
    "developer_name", "device_map", "download_dir", "quantization", "use_flash_attention_2",
    "base_url", "api_key_env", "max_concurrency", "timeout", "max_retries", "generation_batch_size", "backend",
}
_FORWARDED = {"trust_remote_code", "revision", "max_memory", "attn_implementation", "low_cpu_mem_usage"}


def resolve_model_path(model_name_or_path: str) -> str:
    """`builtin:NAME` is a model shipped in the package (e.g. builtin:toy-chat); anything else as given."""
    if model_name_or_path.startswith(BUILTIN_PREFIX):
        name = model_name_or_path[len(BUILTIN_PREFIX):].replace("-", "_")
        path = Path(__file__).with_name(name)
        if not (path / "config.json").is_file():
            raise ConfigError(f"no built-in model {model_name_or_path!r} in this harmbench",
                              hint="the built-in model is builtin:toy-chat")
        return str(path)
    looks_local = model_name_or_path.startswith(("/", "./", "../", "~")) or model_name_or_path.count("/") > 1
    if looks_local and not Path(model_name_or_path).expanduser().exists():
        raise ConfigError(f"model path {model_name_or_path} does not exist",
                          hint="fix model_name_or_path in models.yaml, or give a Hugging Face repo id like org/name")
    return str(Path(model_name_or_path).expanduser()) if looks_local else model_name_or_path


def torch_dtype(name: Any) -> Any:
    if name is None:
        return torch.float32 if not torch.cuda.is_available() else "auto"
    if name not in DTYPES:
        raise ConfigError(f"unsupported dtype {name!r}", hint=f"use one of: {', '.join(DTYPES)}")
    return DTYPES[name]


def load_model_and_tokenizer(cfg: ModelConfig):
    """Load a causal LM and its tokenizer as upstream does (left padding, pad falls back to UNK/EOS)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # our own progress display owns the terminal
    kwargs = cfg.model
    path = resolve_model_path(kwargs["model_name_or_path"])
    dtype = torch_dtype(kwargs.get("dtype"))
    unknown = [k for k in kwargs if k not in _NOT_FORWARDED | _FORWARDED]
    if unknown:
        log.debug("model %s: ignoring loader options %s", cfg.name, unknown)
    extra = {k: kwargs[k] for k in _FORWARDED if k in kwargs}
    if kwargs.get("use_flash_attention_2"):
        extra["attn_implementation"] = "flash_attention_2"
    use_gpu = cfg.num_gpus > 0 and torch.cuda.is_available()
    token = kwargs.get("token") if isinstance(kwargs.get("token"), str) and not kwargs["token"].startswith("<") else None
    try:
        tokenizer = AutoTokenizer.from_pretrained(
            path, use_fast=kwargs.get("use_fast_tokenizer", True), padding_side=kwargs.get("padding_side", "left"),
            trust_remote_code=kwargs.get("trust_remote_code", False), revision=kwargs.get("revision"), token=token)
        model = AutoModelForCausalLM.from_pretrained(
            path, dtype=dtype, device_map=kwargs.get("device_map", "auto") if use_gpu else None, token=token, **extra)
    except OSError as err:
        raise ConfigError(
            f"cannot load model {cfg.name!r} from {path!r}: {str(err).splitlines()[0]}",
            hint="check model_name_or_path; without network access, download the model first and point "
                 "model_name_or_path at its local folder",
        ) from None
    tokenizer.padding_side = kwargs.get("padding_side", "left")
    for attr in ("pad_token", "eos_token"):
        if kwargs.get(attr):
            setattr(tokenizer, attr, kwargs[attr])
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.unk_token or tokenizer.eos_token
    return model.eval(), tokenizer


def chat_template_for(cfg: ModelConfig, tokenizer) -> str:
    """The Jinja template used to format chats: models.yaml's named template, else the tokenizer's own."""
    kwargs = cfg.model
    if kwargs.get("chat_template"):
        return named_template(kwargs["chat_template"])
    if kwargs.get("fschat_template"):
        raise ConfigError(f"model {cfg.name!r}: fschat_template {kwargs['fschat_template']!r} is not supported "
                          "(harmbench does not depend on FastChat)",
                          hint="set chat_template to one of upstream's named templates, or remove it to use the "
                               "tokenizer's own template")
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.chat_template
    raise ConfigError(f"model {cfg.name!r} has no chat template: its tokenizer defines none and models.yaml names none",
                      hint="add chat_template: (e.g. llama-2, vicuna, mistral, qwen) under its model: entry")


class HFTarget:
    """A transformers model behind the `Target` protocol. Not thread-safe: one caller at a time."""

    def __init__(self, name: str, model, tokenizer, chat_template: str, *, system_message: str | None = None,
                 batch_size: int = 32):
        self.name = name
        self.model = model
        self.tokenizer = tokenizer
        self.chat_template = chat_template
        self.format = ChatFormatter(chat_template, tokenizer, system_message)
        self.batch_size = batch_size

    @classmethod
    def from_config(cls, cfg: ModelConfig) -> HFTarget:
        model, tokenizer = load_model_and_tokenizer(cfg)
        return cls(cfg.name, model, tokenizer, chat_template_for(cfg, tokenizer),
                   system_message=cfg.model.get("system_message"),
                   batch_size=int(cfg.model.get("generation_batch_size", 32)))

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def encode(self, prompt: str) -> list[int]:
        return self.tokenizer(prompt, add_special_tokens=True)["input_ids"]

    def generate(self, requests: Sequence[GenerationRequest], config: GenerationConfig = GenerationConfig()) -> list[Generation]:
        encoded = [self.encode(self.format(r)) for r in requests]
        order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i]))  # similar lengths share a batch
        results: list[Generation | None] = [None] * len(encoded)
        if config.seed is not None:
            torch.manual_seed(config.seed)
        start = 0
        batch_size = self.batch_size
        while start < len(order):
            chunk = order[start:start + batch_size]
            try:
                outputs = self._generate_batch([encoded[i] for i in chunk], config)
            except torch.cuda.OutOfMemoryError:
                if batch_size == 1:
                    raise HarmbenchError(f"{self.name}: out of GPU memory with a batch of one",
                                         hint="lower --max-new-tokens or give the model more GPUs (num_gpus)") from None
                batch_size = max(1, len(chunk) // 2)  # upstream's back-off: halve and retry
                log.info("%s: out of memory, batch size now %d", self.name, batch_size)
                torch.cuda.empty_cache()
                continue
            for i, out in zip(chunk, outputs):
                results[i] = out
            start += len(chunk)
        return results  # type: ignore[return-value]

    @torch.no_grad()
    def _generate_batch(self, batch: list[list[int]], config: GenerationConfig) -> list[Generation]:
        tok = self.tokenizer
        width = max(len(ids) for ids in batch)
        pad = tok.pad_token_id
        input_ids = torch.tensor([[pad] * (width - len(ids)) + ids for ids in batch], device=self.device)
        attention = torch.tensor([[0] * (width - len(ids)) + [1] * len(ids) for ids in batch], device=self.device)
        sampling = {} if config.greedy else {"temperature": config.temperature, "top_p": config.top_p}
        started = time.perf_counter()
        out = self.model.generate(
            input_ids=input_ids, attention_mask=attention, max_new_tokens=config.max_new_tokens,
            do_sample=not config.greedy, pad_token_id=pad, eos_token_id=tok.eos_token_id,
            stop_strings=list(config.stop) or None, tokenizer=tok if config.stop else None, **sampling,
        )
        wall = time.perf_counter() - started
        new = out[:, width:].tolist()
        eos = tok.eos_token_id
        generations = []
        for ids, prompt in zip(new, batch):
            n = next((k for k, t in enumerate(ids) if t == eos), None)
            produced = ids[: n] if n is not None else [t for t in ids if t != pad or pad == eos]
            text = tok.decode(produced, skip_special_tokens=True)
            text, stopped = apply_stop(text, config.stop)
            finish = "stop" if (n is not None or stopped) else ("length" if len(ids) >= config.max_new_tokens else "stop")
            generations.append(Generation(text.strip(), len(prompt), len(produced) + (n is not None), finish,
                                          {"batch_wall_s": wall, "batch_size": len(batch)}))
        return generations

    def whitebox(self):
        from harmbench.models.whitebox import WhiteBox

        return WhiteBox(self)

    def close(self) -> None:
        self.model = None
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
