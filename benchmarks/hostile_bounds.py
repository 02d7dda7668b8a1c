"""Diagnostics whose own work must stay bounded (issue 15, item 4): the worst cases, timed.

    python benchmarks/hostile_bounds.py

Writes each worst case to a temporary folder, runs ``dealcheck validate`` on it in a subprocess and prints the
wall time. Before the work budgets these took 145 s (200 misspelt terms among 60,000), 37 s (60 misspelt options
among 100,000), 73 s (20 missing quotes in a 1 MB source) and over 300 s (one 3,000-word quote).
``tests/hostile/test_hostile_bounds.py`` runs the same cases with a generous timeout; the figures live here.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["write_worst_cases"]


def _word(rng: random.Random, lo: int, hi: int) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(lo, hi)))


def write_worst_cases(folder: Path, seed: int = 1) -> dict[str, list[str]]:
    """Each worst case's ``dealcheck`` arguments, its files written under ``folder``."""
    rng = random.Random(seed)
    cases: dict[str, list[str]] = {}

    names = sorted({"t" + _word(rng, 8, 8) for _ in range(60_000)})
    lines = ["dealcheck: 1", "title: many terms", "terms:", *(f"  {n}: bool" for n in names)]
    lines += ["parties:", "  a:", "    red_lines:"]
    for k in range(300):  # more misspellings than the 200 diagnostics shown
        n = names[k * 7]
        lines.append(f"      r{k}: {{rule: {n[:3] + n[4:]}, assumption: x}}")
    (folder / "terms.yaml").write_text("\n".join(lines) + "\n")
    cases["200+ misspelt terms among 60,000"] = ["validate", str(folder / "terms.yaml")]

    options = sorted({_word(rng, 9, 9) for _ in range(100_000)})
    lines = ["dealcheck: 1", "title: many options", "terms:", "  x: [" + ", ".join(options) + "]"]
    lines += ["parties:", "  a:", "    red_lines:"]
    lines += [f'      r{k}: {{rule: x == "{o[:4] + o[5:]}", assumption: x}}' for k, o in enumerate(options[:660:11])]
    lines += ["packages:", *(f"  p{k}: {{terms: {{x: {o[:-1]}}}}}" for k, o in enumerate(options[:780:13]))]
    (folder / "options.yaml").write_text("\n".join(lines) + "\n")
    cases["60+60 misspelt options among 100,000"] = ["validate", str(folder / "options.yaml")]

    vocabulary = [_word(rng, 2, 9) for _ in range(5000)]
    words = [rng.choice(vocabulary) for _ in range(170_000)]  # about 1.1 MB
    sources = folder / "sources"
    sources.mkdir(exist_ok=True)
    (sources / "src.txt").write_text(" ".join(words))
    quotes = []
    for _ in range(20):
        i = rng.randrange(len(words) - 20)
        quote = words[i : i + 12]
        quote[5] = "zzzz"
        quotes.append(" ".join(quote))
    i = rng.randrange(len(words) - 3000)
    long_quote = words[i : i + 3000]
    long_quote[1500] = "zzzz"
    quotes.append(" ".join(long_quote))
    lines = ["dealcheck: 1", "title: quotes", "sources: {s: {title: S, file: src.txt}}", "terms: {a: [x, y]}"]
    lines += ["parties:", "  p:", "    red_lines:"]
    lines += [f'      r{k}: {{rule: a == "x", source: s, quote: "{q}"}}' for k, q in enumerate(quotes)]
    (folder / "quotes.yaml").write_text("\n".join(lines) + "\n")
    cases["20 missing quotes and one of 3,000 words, 1 MB source"] = [
        "validate",
        str(folder / "quotes.yaml"),
        "--sources",
        str(sources),
    ]
    return cases


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for what, args in write_worst_cases(Path(folder)).items():
            start = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "dealcheck", *args], capture_output=True, check=False)
            print(f"{time.perf_counter() - start:6.2f} s  exit {result.returncode}  {what}")


if __name__ == "__main__":
    main()
