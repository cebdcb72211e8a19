"""Judges: does a generation exhibit its behavior? HarmBench classifier, copyright hashing, refusal matching."""

from harmbench.judges.base import FAILURE, INVALID, SUCCESS, Judge, Verdict, get_judge, judge_names, register

__all__ = ["FAILURE", "INVALID", "SUCCESS", "Judge", "Verdict", "get_judge", "judge_names", "register"]
