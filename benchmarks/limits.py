"""Benchmarks for issue 9: engines that always answer, within the time and memory given.

    python benchmarks/limits.py [--quick]        (also run by benchmarks/run.py as target 9)

Rows, each a ratio against a baseline measured in the same run:

- dense family (every pair of k terms coupled): the exact count against python-constraint2's full listing (by hand,
  ``getSolutionIter`` with one ``FunctionConstraint`` per pair) and against dealcheck's own brute listing;
- wide ranges: 6 integer terms of 0..10**9 with threshold rules, ``dealcheck explore`` (count, intervals, best deal)
  in a fresh process against ``python -c "import yaml, click, attrs"``; and the same with a sum and a difference
  of two wide terms;
- start-up: ``dealcheck explore`` on a zone of <= 10**4 deals and on the 48-term scenario against those imports;
- limits: every family scaled past what finishes, ``--time-limit 2``: wall time and exit code.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from harness import ROOT as _ROOT  # noqa: E402
from harness import Row, _run_time, fmt_time, paired  # noqa: E402

from dealcheck.rules import ir  # noqa: E402
from dealcheck.rules.syntax import ArithOp, CmpOp  # noqa: E402

assert _ROOT == ROOT


def dense_yaml(k: int, size: int = 10) -> str:
    """k integer terms 1..size, every pair coupled: they differ, and by other than their distance."""
    lines = ["dealcheck: 1", "title: dense", "terms:"]
    lines += [f"  t{i}: {{range: [1, {size}]}}" for i in range(k)]
    lines += ["parties:", "  a:", "    red_lines:"]
    for i, j in itertools.combinations(range(k), 2):
        lines.append(f"      r{i}_{j}: {{rule: 't{i} != t{j} and abs(t{i} - t{j}) != {j - i}', assumption: x}}")
    return "\n".join(lines) + "\n"


def dense_rules(k: int) -> list[ir.BoolExpr]:
    out: list[ir.BoolExpr] = []
    for i, j in itertools.combinations(range(k), 2):
        diff = ir.Abs(ir.Arith(ArithOp.SUB, ir.Var(i), ir.Var(j)))
        out.append(ir.Compare(CmpOp.NE, ir.Var(i), ir.Var(j)))
        out.append(ir.Compare(CmpOp.NE, diff, ir.Const(j - i)))
    return out


def wide_yaml(terms: int, hi: int, coupled: bool, cycle: bool = False) -> str:
    """``terms`` integer terms 0..hi with threshold rules (and, if ``coupled``, a sum and a difference; if
    ``cycle``, a cycle of comparisons of wide terms, which linear counting does not take)."""
    lines = ["dealcheck: 1", "title: wide", "terms:"]
    lines += [f"  x{i}: {{range: [0, {hi}]}}" for i in range(terms)]
    lines += ["parties:", "  a:", "    red_lines:"]
    for i in range(terms):
        lo_i = hi // (3 + i)
        lines.append(f"      floor{i}: {{rule: 'x{i} >= {lo_i} or x{i} == 7', assumption: x}}")
        lines.append(f"      cap{i}: {{rule: 'x{i} <= {hi - hi // (5 + i)}', assumption: x}}")
    if coupled:
        lines.append(f"      sum: {{rule: 'x0 + x1 <= {hi}', assumption: x}}")
        lines.append("      diff: {rule: 'x2 - x3 > 10', assumption: x}")
    if cycle:
        lines.append("      up: {rule: 'x1 < x4', assumption: x}")
        lines.append("      around: {rule: 'x4 < x0 + 1000', assumption: x}")
    lines += ["    demands:", f"      high: {{rule: 'x0 >= {hi // 2}', assumption: x}}"]
    return "\n".join(lines) + "\n"


def _constraint_listing(k: int) -> int:
    from constraint import FunctionConstraint, Problem

    p = Problem()
    for i in range(k):
        p.addVariable(i, list(range(1, 11)))
    for i, j in itertools.combinations(range(k), 2):
        d = j - i
        p.addConstraint(FunctionConstraint(lambda a, b, d=d: a != b and abs(a - b) != d), [i, j])
    return sum(1 for _ in p.getSolutionIter())


def target_dense(quick: bool) -> list[Row]:
    from dealcheck.solver.base import Constraints
    from dealcheck.solver.planner import count
    from dealcheck.solver.session import open_session

    rows = []
    for k in (8, 9) if quick else (8, 9, 10, 11):
        doms = [range(1, 11)] * k
        rules = dense_rules(k)
        n = count(doms, rules).low
        ours, base, ratio = paired(lambda: count(doms, rules), lambda: _constraint_listing(k), repeat=3)
        method = count(doms, rules).parts[0].method
        rows.append(
            Row(
                "9",
                f"dense family, {k} terms of 10 values, every pair coupled: exact count of {n:,} deals",
                fmt_time(ours),
                f"python-constraint2 full listing {fmt_time(base)}",
                1 / ratio,
                "<= 2x slower",
                1 / ratio <= 2.0,
                f"method {method}: the elimination's largest table would be 10**{k - 1} rows",
            )
        )
    k = 7  # k queens on 7 values: 823,543 packages, small enough for dealcheck's brute listing
    doms = [range(1, 8)] * k
    rules = dense_rules(k)
    problem = Constraints(tuple(doms), tuple(rules))
    ours, base, ratio = paired(
        lambda: count(doms, rules), lambda: sum(1 for _ in open_session("brute", problem).solutions()), repeat=3
    )
    rows.append(
        Row(
            "9",
            f"dense family, 7 terms of 7 values: exact count of {count(doms, rules).low} deals",
            fmt_time(ours),
            f"dealcheck brute listing {fmt_time(base)}",
            ratio,
            ">= 1x (never slower)",
            ratio >= 1.0,
        )
    )
    return rows


def _write(text: str) -> str:
    fd, path = tempfile.mkstemp(suffix=".yaml", prefix="dealcheck-bench-")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


def _exit_and_time(args: list[str]) -> tuple[int, float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False, timeout=600)
    return done.returncode, time.perf_counter() - start, done.stdout + done.stderr


def _complete(out: str) -> bool:
    """Whether explore's JSON has the exact count, complete intervals and a best deal."""
    try:
        data = json.loads(out)
    except ValueError:
        return False
    return bool(data["deals"]["exact"] and data["terms_complete"] and data["best"] and data["best_complete"])


def target_wide(quick: bool) -> list[Row]:
    py = sys.executable
    cli = str(Path(py).with_name("dealcheck"))
    repeat = 3 if quick else 5
    base = _run_time([py, "-c", "import yaml, click, attrs"], repeat)
    rows = []
    for coupled in (False, True):
        path = _write(wide_yaml(6, 10**9, coupled))
        args = [cli, "explore", path, "--top", "1", "--format", "json", "--time-limit", "20"]
        code, _, out = _exit_and_time(args)
        ours = _run_time(args, repeat, check=False)
        exact = code == 0 and _complete(out)
        what = "with a sum and a difference of wide terms" if coupled else "threshold rules only"
        note = (
            "linear counting: x0 + x1 and x2 - x3 are summed as piecewise polynomials over the ranges; count, "
            "intervals and best deal exact"
            if coupled
            else "value classes: each term is a handful of intervals; count, intervals and best deal exact"
        )
        rows.append(
            Row(
                "9",
                f"wide ranges: 6 terms of 0..10**9, {what}: explore, count, intervals, best deal (exit {code})",
                fmt_time(ours),
                f"import yaml, click, attrs {fmt_time(base)}",
                ours / base,
                "<= 10x",
                exact and ours / base <= 10.0,
                note if exact else "not exact: " + out[-300:],
            )
        )
        os.unlink(path)
    return rows


def target_startup9(quick: bool) -> list[Row]:
    sys.path.insert(0, str(HERE))
    from generate import generate

    py = sys.executable
    cli = str(Path(py).with_name("dealcheck"))
    repeat = 3 if quick else 7
    base = _run_time([py, "-c", "import yaml, click, attrs"], repeat)
    rows = []
    small = _write(dense_yaml(8, 8))  # 92 deals in 16,777,216 packages
    big = _write(generate("many", terms=48, seed=5).yaml())
    for path, what in ((small, "a zone of 92 deals (8 coupled terms)"), (big, "the 48-term generated scenario")):
        ours = _run_time([cli, "explore", path, "--top", "1"], repeat, check=False)
        probe = (
            "import json, sys\nfrom click.testing import CliRunner\nfrom dealcheck.cli import cli\n"
            f"r = CliRunner().invoke(cli, ['explore', {path!r}, '--top', '1', '--format', 'json'])\n"
            "print('ortools' in sys.modules, json.loads(r.output)['ranking'])\n"
        )
        ortools, _, ranking = (
            subprocess.run([py, "-c", probe], capture_output=True, text=True, cwd=ROOT).stdout.strip().partition(" ")
        )
        rows.append(
            Row(
                "9",
                f"start-up: dealcheck explore on {what}",
                fmt_time(ours),
                f"import yaml, click, attrs {fmt_time(base)}",
                ours / base,
                "<= 4x",
                ours / base <= 4.0,
                f"OR-Tools imported: {ortools}; best deals and frontier by {ranking}",
            )
        )
    os.unlink(small)
    os.unlink(big)
    return rows


def pigeons_yaml(k: int) -> str:
    """k terms of k - 1 values, every pair different, the pairs shared among three parties: no deal, and no solver
    proves it in seconds; with packages, a variant and expectations, so that every command has work to do."""
    lines = ["dealcheck: 1", "title: pigeons", "terms:"]
    lines += [f"  t{i}: {{range: [1, {k - 1}]}}" for i in range(k)]
    lines.append("parties:")
    for p in range(3):
        lines += [f"  p{p}:", "    red_lines:"]
        for i, j in itertools.combinations(range(k), 2):
            if (i + j) % 3 == p:
                lines.append(f"      r{i}_{j}: {{rule: 't{i} != t{j}', assumption: x}}")
        lines += ["    demands:", f"      d: {{rule: 't{p} >= 3', assumption: x}}"]
    full = ", ".join(f"t{i}: {1 + i % (k - 1)}" for i in range(k))
    lines += ["packages:", "  part: {terms: {t0: 1}}", f"  full: {{terms: {{{full}}}}}"]
    lines += [
        "variants:",
        "  v: {drop: [p0.r0_3]}",
        "expect:",
        "  - {deals: 0}",
        "  - {package: part, deal_possible: false}",
    ]
    return "\n".join(lines) + "\n"


#: Every command that takes --time-limit, with the arguments that give it work on the pigeons scenario.
COMMANDS = [
    ("check", ["-p", "part"]),
    ("explore", []),
    ("conflicts", []),
    ("repair", ["-p", "full"]),
    ("compare", []),
    ("explain", []),
    ("validate", []),
    ("test", []),
    ("report", ["--format", "text"]),
]


def target_limits(quick: bool) -> list[Row]:
    py = sys.executable
    cli = str(Path(py).with_name("dealcheck"))
    families = [
        ("dense, 14 terms of 14 values", dense_yaml(14, 14), []),
        ("dense, 12 terms, brute backend", dense_yaml(12, 12), ["--backend", "brute"]),
        ("dense, 12 terms, constraint backend", dense_yaml(12, 12), ["--backend", "constraint"]),
        ("wide, a cycle of comparisons of 10**6-value terms", wide_yaml(6, 999_999, True, cycle=True), []),
    ]
    rows = []
    for what, text, extra in families:
        path = _write(text)
        code, wall, _ = _exit_and_time([cli, "explore", path, "--time-limit", "2", *extra])
        rows.append(
            Row(
                "9",
                f"limits: explore --time-limit 2, {what}",
                f"{wall:.2f} s, exit {code}",
                "limit 3 s",
                wall,
                "< 3 s, exit 4",
                wall < 3.0 and code == 4,
                "timed once; wall time includes start-up",
            )
        )
        os.unlink(path)
    path = _write(pigeons_yaml(14))
    for command, args in COMMANDS:
        code, wall, _ = _exit_and_time([cli, command, path, *args, "--time-limit", "2"])
        rows.append(
            Row(
                "9",
                f"limits: {command} --time-limit 2, 14 pigeons in 13 holes (no deal, unprovable in seconds)",
                f"{wall:.2f} s, exit {code}",
                "limit 3 s",
                wall,
                "< 3 s, exit 4",
                wall < 3.0 and code == 4,
                "timed once; wall time includes start-up",
            )
        )
    os.unlink(path)
    return rows


TARGETS = [
    ("dense family", target_dense),
    ("wide ranges", target_wide),
    ("start-up (issue 9)", target_startup9),
    ("limits", target_limits),
]


def main() -> None:
    quick = "--quick" in sys.argv
    for name, fn in TARGETS:
        print(f"# {name}", flush=True)
        for row in fn(quick):
            print(f"{row.what} | {row.ours} | {row.baseline} | {row.ratio} | {row.goal} | {row.met} | {row.note}")


if __name__ == "__main__":
    main()
