"""The `vllm` backend (optional extra, needs a CUDA GPU): same protocol, tensor parallel = num_gpus."""

from __future__ import annotations

from collections.abc import Sequence

from harmbench.config import ModelConfig
from harmbench.errors import ConfigError
from harmbench.models.base import Generation, GenerationConfig, GenerationRequest, apply_stop
from harmbench.models.chat_templates import ChatFormatter
from harmbench.models.hf import chat_template_for, resolve_model_path


class VLLMTarget:
    """A model served in-process by vLLM. Prompts are formatted exactly as the `hf` backend formats them."""

    def __init__(self, name: str, llm, tokenizer, chat_template: str, system_message: str | None = None):
        self.name = name
        self.llm = llm
        self.tokenizer = tokenizer
        self.format = ChatFormatter(chat_template, tokenizer, system_message)

    @classmethod
    def from_config(cls, cfg: ModelConfig) -> VLLMTarget:
        try:
            import torch
            from vllm import LLM
        except ImportError:
            raise ConfigError(f"model {cfg.name!r} asks for the vllm backend, which is not installed",
                              hint="pip install 'harmbench[vllm]' on a machine with a CUDA GPU, or use backend: hf") from None
        if not torch.cuda.is_available():
            raise ConfigError(f"model {cfg.name!r}: the vllm backend needs a CUDA GPU and none is visible",
                              hint="use backend: hf on this machine")
        kwargs = cfg.model
        path = resolve_model_path(kwargs["model_name_or_path"])
        dtype = {"fp16": "float16", "half": "float16", "bf16": "bfloat16", "float": "float32"}.get(
            kwargs.get("dtype", "auto"), kwargs.get("dtype", "auto"))
        llm = LLM(
            model=path, dtype=dtype, trust_remote_code=kwargs.get("trust_remote_code", False),
            tokenizer_mode="auto" if kwargs.get("use_fast_tokenizer", True) else "slow",
            tensor_parallel_size=max(1, min(cfg.num_gpus, torch.cuda.device_count())),
            revision=kwargs.get("revision"), download_dir=kwargs.get("download_dir"),
            quantization=kwargs.get("quantization"), max_model_len=kwargs.get("max_model_len"),
            gpu_memory_utilization=kwargs.get("gpu_memory_utilization", 0.85),
        )
        tokenizer = llm.get_tokenizer()
        for attr in ("pad_token", "eos_token"):
            if kwargs.get(attr):
                setattr(tokenizer, attr, kwargs[attr])
        return cls(cfg.name, llm, tokenizer, chat_template_for(cfg, tokenizer), kwargs.get("system_message"))

    def generate(self, requests: Sequence[GenerationRequest], config: GenerationConfig = GenerationConfig()) -> list[Generation]:
        from vllm import SamplingParams

        params = [SamplingParams(temperature=max(config.temperature, 0.0), top_p=config.top_p,
                                 max_tokens=config.max_new_tokens, stop=list(config.stop) or None,
                                 seed=config.seed_for(i)) for i in range(len(requests))]
        outputs = self.llm.generate([self.format(r) for r in requests], params, use_tqdm=False)
        results = []
        for out in outputs:
            choice = out.outputs[0]
            text, _ = apply_stop(choice.text, config.stop)
            finish = "length" if choice.finish_reason == "length" else "stop"
            results.append(Generation(text.strip(), len(out.prompt_token_ids), len(choice.token_ids), finish))
        return results

    def close(self) -> None:
        self.llm = None
