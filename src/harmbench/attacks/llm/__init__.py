"""The shared toolkit of the LLM-driven attacks (PAIR, TAP, ...): attacker conversations asked in
batches, parsing of attacker and judge output, history truncation."""

from harmbench.attacks.llm.chat import Conversation, propose
from harmbench.attacks.llm.judge import on_topic, rate
from harmbench.attacks.llm.parsing import AttackStep, parse_attack, parse_on_topic, parse_rating, truncate_history

__all__ = ["AttackStep", "Conversation", "on_topic", "parse_attack", "parse_on_topic", "parse_rating", "propose",
           "rate", "truncate_history"]
