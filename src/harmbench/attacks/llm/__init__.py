"""The shared toolkit of the LLM-driven attacks (PAIR, TAP, ...): parsing of attacker and judge output,
conversation history. (The methods themselves come with issue 7.)"""

from harmbench.attacks.llm.parsing import AttackStep, parse_attack, parse_on_topic, parse_rating, truncate_history

__all__ = ["AttackStep", "parse_attack", "parse_on_topic", "parse_rating", "truncate_history"]
