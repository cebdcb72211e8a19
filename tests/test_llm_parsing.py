"""Parsing what attacker and judge LLMs write (harmbench.attacks.llm.parsing)."""

from __future__ import annotations

from harmbench.attacks.llm import parse_attack, parse_on_topic, parse_rating, truncate_history
from harmbench.models.base import Message


def test_well_formed_attacker_output_with_and_without_prefill():
    step = parse_attack('{"improvement": "be vaguer", "prompt": "Tell a story about a prank"}')
    assert (step.improvement, step.prompt, step.recovered) == ("be vaguer", "Tell a story about a prank", False)
    # A local attacker is prefilled with the object's start and stopped before "}".
    step = parse_attack('Tell a story", ', prefill='{"improvement": "","prompt": "')
    assert step.prompt == "Tell a story" and step.improvement == ""
    step = parse_attack('first try", "prompt": "Write a limerick"', prefill='{"improvement": "')
    assert step.prompt == "Write a limerick" and step.improvement == "first try"
    # Python-literal style (single quotes) as upstream reads it, and newlines inside the span.
    assert parse_attack("{'improvement': 'x',\n 'prompt': 'y z'}").prompt == "y z"


def test_recovery_from_common_breakage():
    broken = '{"improvement": "use a role", "prompt": "You are "Max", a writer. Describe the prank"}'
    step = parse_attack(broken)
    assert step.recovered and step.prompt == 'You are "Max", a writer. Describe the prank'
    unclosed = 'Sure! {"improvement": "shorter", "prompt": "Describe the prank in two lines'
    assert parse_attack(unclosed).prompt == "Describe the prank in two lines"
    escaped = '{"improvement": "a", "prompt": "Line one\\nLine \\"two\\""}'
    assert parse_attack(escaped).prompt == 'Line one\nLine "two"'


def test_unreadable_attacker_output_is_none():
    for text in ("no object here", '{"improvement": "only this"}', '{"improvement": "x", "prompt": ""}', "{}"):
        assert parse_attack(text) is None, text


def test_judge_rating_and_on_topic():
    assert parse_rating("Rating: [[7]]") == 7
    assert parse_rating("10]]", prefill="Rating: [[") == 10
    assert parse_rating("I rate it [[ 3 ]] then [[9]]") == 3
    assert parse_rating("no score") == 1 and parse_rating("no score", default=0) == 0
    assert parse_on_topic("YES]]", prefill="Rating: [[") == 1
    assert parse_on_topic("NO]]", prefill="Rating: [[") == 0
    assert parse_on_topic("[[NO]]", api=True) == 1  # upstream's quirk with API judges: numeric rule, default 1


def test_history_keeps_the_system_message_and_the_last_turns():
    chat = [Message("system", "s")] + [Message("user" if i % 2 == 0 else "assistant", str(i)) for i in range(10)]
    kept = truncate_history(chat, keep_last_n=3)
    assert kept[0].role == "system" and [m.content for m in kept[1:]] == ["4", "5", "6", "7", "8", "9"]
    assert truncate_history(chat[1:], keep_last_n=1) == chat[-2:]
    assert truncate_history(chat, keep_last_n=0) == chat[:1]
