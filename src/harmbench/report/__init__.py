"""Reports of a run: ASR with confidence intervals, tables (terminal, CSV, Markdown), plots (PNG) and
one self-contained HTML file, with generations redacted unless asked for. See docs/reports.md."""

from harmbench.report.asr import ASR, bootstrap_ci, compute_asr
from harmbench.report.build import FILES, Example, ReportResult, build_report

__all__ = ["ASR", "FILES", "Example", "ReportResult", "bootstrap_ci", "build_report", "compute_asr"]
