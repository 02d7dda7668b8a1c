"""Benchmarks for issue 6: every target against its baseline, measured in the same run, as ratios.

    python benchmarks/run.py [--quick] [--no-write]

Prints one table (target, what, dealcheck, baseline, ratio, goal, met) and writes ``docs/performance.md``.
Timings are medians of several runs; only ratios are reported as results, because the machines are shared and
absolute times drift. Baselines (python-constraint2, CP-SAT, z3) are imported here only; z3 is the ``bench`` extra
and its rows are skipped when it is not installed.

Targets whose dealcheck side does not exist yet are listed as "not measured yet" (see ``PENDING``); adding one is
adding a function that returns :class:`Row` objects and listing it in ``TARGETS``.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import attrs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import Generated, generate  # noqa: E402

from dealcheck.model import RuleKind  # noqa: E402


@attrs.frozen
class Row:
    """One measured comparison. ``ratio`` is ``baseline / dealcheck`` when ``higher`` (a speed-up), else
    ``dealcheck / baseline`` (a slow-down or overhead that must stay under ``goal``)."""

    target: str
    what: str
    ours: str
    baseline: str
    ratio: float | None
    goal: str
    met: bool | None
    note: str = ""


# --- timing ---------------------------------------------------------------------------------------------------


def median_time(fn: Callable[[], object], *, repeat: int = 5, number: int = 1) -> float:
    """Median over ``repeat`` runs of the time per call, each run calling ``fn`` ``number`` times."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def paired(ours: Callable[[], object], base: Callable[[], object], *, repeat: int = 7, per: int = 1,
           base_per: int | None = None) -> tuple[float, float, float]:
    """Alternate dealcheck and baseline runs; (median time per item of each, median of the per-pair ratios).

    On a shared machine the load drifts between two separate measurements; pairing each dealcheck run with a
    baseline run right next to it, and taking the median ratio, cancels most of that drift.
    """
    ours_t, base_t, ratios = [], [], []
    for _ in range(repeat):
        a = median_time(ours, repeat=1) / per
        b = median_time(base, repeat=1) / (base_per or per)
        ours_t.append(a)
        base_t.append(b)
        ratios.append(b / a)
    return statistics.median(ours_t), statistics.median(base_t), statistics.median(ratios)


def fmt_time(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def speedup(target: str, what: str, ours: float, base: float, base_name: str, need: float, stretch: float | None = None,
            note: str = "", ratio: float | None = None) -> Row:
    ratio = base / ours if ratio is None else ratio
    goal = f">= {need:g}x" + (f" (stretch {stretch:g}x)" if stretch else "")
    return Row(target, what, fmt_time(ours), f"{base_name} {fmt_time(base)}", ratio, goal, ratio >= need, note)


def positional(g: Generated, kind: RuleKind | None = RuleKind.RED_LINE) -> list[tuple[Callable[..., bool], list[str]]]:
    """The lambdas rewritten over positional parameters, as one writes them for python-constraint."""
    out = []
    for r in g.rules:
        if kind is not None and r.kind is not kind:
            continue
        names = sorted(set(re.findall(r'p\["(t\d+)"\]', r.py)))
        body = re.sub(r'p\["(t\d+)"\]', r"\1", r.py)
        fn = eval(f"lambda {', '.join(names)}: {body}", {})  # noqa: S307 - our own generated source
        out.append((fn, names))
    return out


# --- target 1: one full package ---------------------------------------------------------------------------------


def target_full_check(quick: bool) -> list[Row]:
    g = generate("many", terms=40, parties=4, seed=11)
    s = g.scenario
    lambdas = g.lambdas()
    packages = [g.decode(c) for c in g.sample(200, seed=1)]
    deals = [g.decode(c) for c in _deals(g, 200)]
    n_rules = len(lambdas)

    def by_lambdas(ps: list[dict[str, object]]) -> Callable[[], None]:
        def run() -> None:
            for p in ps:
                [f(p) for f in lambdas]

        return run

    def by_check(ps: list[dict[str, object]]) -> Callable[[], None]:
        def run() -> None:
            for p in ps:
                s.check(p)

        return run

    def by_check_read() -> None:
        for p in packages:
            s.check(p).parties

    from dealcheck.solver.compiled import scenario_checker

    check_all = scenario_checker(s).check_all
    encoded = [tuple(s.encode(p)) for p in packages]

    def by_compiled_codes() -> None:
        for c in encoded:
            check_all(c)

    repeat = 5 if quick else 9
    per = len(packages)
    ours, base, ratio = paired(by_check(packages), by_lambdas(packages), repeat=repeat, per=per)
    ours_d, base_d, ratio_d = paired(by_check(deals), by_lambdas(deals), repeat=repeat, per=per)
    read, base_r, ratio_r = paired(by_check_read, by_lambdas(packages), repeat=3, per=per)
    raw, base2, ratio2 = paired(by_compiled_codes, by_lambdas(packages), repeat=repeat, per=per)
    name = f"lambdas ({n_rules} rules, dict)"
    return [
        speedup("1", f"Scenario.check, full package, {n_rules} rules, random packages", ours, base, name, 2, 4,
                "one compiled call validates every value and tests the red lines until one breaks; the per-party "
                "outcomes are built on first read of .parties", ratio),
        speedup("1", "Scenario.check on deals only (every red line evaluated)", ours_d, base_d, name, 2, 4,
                "the worst case for the verdict: no red line breaks early", ratio_d),
        Row("1", "Scenario.check then reading .parties (every outcome object built)", fmt_time(read),
            f"{name} {fmt_time(base_r)}", ratio_r, "(info)", None,
            "one frozen attrs RuleOutcome per rule, with its values and quote: about 3 µs each on CPython 3.11"),
        Row("1", "compiled rules alone on a tuple of codes (check_all)", fmt_time(raw), f"{name} {fmt_time(base2)}",
            ratio2, "(info)", None),
    ]


def _deals(g: Generated, n: int) -> list[tuple[int, ...]]:
    """``n`` full packages that keep every red line (each drawn at random, kept when it is a deal)."""
    from dealcheck.solver.compiled import compile_rules

    check = compile_rules(tuple(r.expr for r in g.red_lines))
    out: list[tuple[int, ...]] = []
    seed = 0
    while len(out) < n:
        out += [c for c in g.sample(5000, seed=1000 + seed) if all(check(c))]
        seed += 1
    return out[:n]


# --- target 2: many packages as columns -------------------------------------------------------------------------


def target_check_many(quick: bool) -> list[Row]:
    import numpy as np

    g = generate("many", terms=40, parties=4, seed=11)
    s = g.scenario
    n = 200_000 if quick else 1_000_000
    rng = np.random.default_rng(0)
    # Codes are small integers: a simulation holds them as int8 (one byte per value); int64 is measured too.
    wide = {t.name: rng.integers(min(t.domain.codes), max(t.domain.codes) + 1, n) for t in s.terms}
    columns = {name: c.astype(np.int8) for name, c in wide.items()}
    lambdas = g.lambdas()
    packages = [g.decode(c) for c in g.sample(5000, seed=2)]

    def by_lambdas() -> None:
        for p in packages:
            [f(p) for f in lambdas]

    ours, base, ratio = paired(lambda: s.check_many(columns), by_lambdas, repeat=5 if quick else 7, per=n,
                               base_per=len(packages))
    ours_w, base_w, ratio_w = paired(lambda: s.check_many(wide), by_lambdas, repeat=3, per=n, base_per=len(packages))
    m = 20_000
    values = {t.name: [t.decode(int(c)) for c in columns[t.name][:m]] for t in s.terms}
    ours_v, base_v, ratio_v = paired(lambda: s.check_many(values), by_lambdas, repeat=3, per=m,
                                     base_per=len(packages))
    name = f"lambdas ({len(lambdas)} rules), per package"
    return [
        speedup("2", f"Scenario.check_many, {n:,} packages as int8 code columns, per package", ours, base, name,
                100, ratio=ratio, note="includes validating every input column (one pass each); int8 columns are "
                "used as they are, every rule whose arithmetic fits int8 runs on one byte per package"),
        Row("2", "Scenario.check_many, the same as int64 code columns, per package", fmt_time(ours_w),
            f"{name} {fmt_time(base_w)}", ratio_w, "(info)", None,
            "narrowing 8 bytes per value to one (a copy per column) costs about as much as the rules"),
        Row("2", "Scenario.check_many on value columns (Python lists of str/bool/int), per package",
            fmt_time(ours_v), f"{name} {fmt_time(base_v)}", ratio_v, "(info)", None,
            "encoding values costs one Python dictionary look-up per value; hold codes for speed"),
    ]


# --- target 3: counting without listing -------------------------------------------------------------------------


def target_counting(quick: bool) -> list[Row]:
    from dealcheck.solver.counting import count_solutions

    rows = []
    target_deals = 250_000 if quick else 2_500_000
    g = generate("many", terms=14 if quick else 16, seed=0, deals=target_deals)
    doms = g.domains()
    red = [r.expr for r in g.red_lines]
    count = count_solutions(doms, red)
    ours = median_time(lambda: count_solutions(doms, red), repeat=5)

    import constraint

    def by_listing() -> int:
        problem = constraint.Problem()
        for t in g.scenario.terms:
            problem.addVariable(t.name, [t.decode(c) for c in t.domain.codes])
        for fn, names in positional(g):
            problem.addConstraint(constraint.FunctionConstraint(fn), names)
        return sum(1 for _ in problem.getSolutionIter())

    start = time.perf_counter()
    listed = by_listing()
    base = time.perf_counter() - start  # one run: listing millions of deals is the slow side
    assert listed == count, (listed, count)
    rows.append(speedup("3", f"count {count:,} deals ({len(doms)} terms)", ours, base,
                        "python-constraint2 getSolutionIter", 100, note="baseline timed once (it takes seconds)"))

    small = generate("many", terms=10, seed=3)
    sdoms, sred = small.domains(), [r.expr for r in small.red_lines]
    from dealcheck.solver.compiled import compile_rules

    check = compile_rules(tuple(sred))

    def by_brute() -> int:
        import itertools

        return sum(1 for c in itertools.product(*sdoms) if all(check(c)))

    n_small = count_solutions(sdoms, sred)
    assert by_brute() == n_small
    t_small, t_brute, r_small = paired(lambda: count_solutions(sdoms, sred), by_brute, repeat=3)
    rows.append(Row("3", f"count {n_small:,} deals (10 terms)", fmt_time(t_small),
                    f"brute force (itertools.product) {fmt_time(t_brute)}", r_small, "(info)", None))

    big = generate("many", terms=48, seed=5)
    bdoms, bred = big.domains(), [r.expr for r in big.red_lines]
    huge = count_solutions(bdoms, bred)
    t = median_time(lambda: count_solutions(bdoms, bred), repeat=5)
    rows.append(Row("3", f"exact count of {huge:.3e} deals, 48 terms", fmt_time(t), "limit 1 s", 1 / t, "< 1 s",
                    huge >= 10**12 and t < 1.0, f"count = {huge}"))
    for n in (128, 512):
        gt = generate("tight", terms=n, seed=5)
        tdoms, tred = gt.domains(), [r.expr for r in gt.red_lines]
        c = count_solutions(tdoms, tred)
        t = median_time(lambda: count_solutions(tdoms, tred), repeat=3)
        rows.append(Row("3", f"exact count, tight family, {n} terms, {len(tred)} red lines: {c:.3e} deals",
                        fmt_time(t), "limit 1 s", 1 / t, "(info)", None))
    return rows


# --- target 8: start-up -------------------------------------------------------------------------------------------


#: Subprocesses run with bytecode caching on, as an installed package runs: with PYTHONDONTWRITEBYTECODE set (as in
#: some CI images) dealcheck's own modules would be compiled from source on every start while the baselines' were
#: compiled at install time, which measures the environment, not the tool.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run_time(args: list[str], repeat: int, *, check: bool = True) -> float:
    def once() -> None:
        subprocess.run(args, check=check, capture_output=True, cwd=ROOT, env=_ENV)

    once()  # warm the file cache (and write bytecode)
    return median_time(once, repeat=repeat)


_PHASES = """
import time
t0 = time.perf_counter()
import dealcheck.cli, dealcheck.engine, dealcheck.loader, dealcheck.yamlnodes as y
t1 = time.perf_counter()
s = dealcheck.loader.load_scenario_file({path!r})
t2 = time.perf_counter()
y.LIBYAML_ABOVE = 0
dealcheck.loader.load_scenario_file({path!r})
t3 = time.perf_counter()
dealcheck.engine.check_packages(s)
t4 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3)
"""


def target_startup(quick: bool) -> list[Row]:
    py = sys.executable
    repeat = 7 if quick else 15
    bare = _run_time([py, "-c", "pass"], repeat)
    imp = _run_time([py, "-c", "import dealcheck"], repeat)
    rows = [Row("8", "import dealcheck over bare python", f"{(imp - bare) * 1e3:.1f} ms over", fmt_time(bare),
                (imp - bare) * 1e3, "<= 30 ms", imp - bare <= 0.030,
                "every public name loads on first use (PEP 562 module __getattr__)")]
    code = (
        "import sys, dealcheck\n"
        "s = dealcheck.load_scenario('scenarios/ukraine-ceasefire-2025.yaml')\n"
        "[s.check(p) for p in s.packages if set(p.values) == {t.name for t in s.terms}]\n"
        "print(','.join(m for m in ('numpy', 'ortools', 'constraint') if m in sys.modules))\n"
    )
    heavy = subprocess.run([py, "-c", code], capture_output=True, text=True, cwd=ROOT, env=_ENV)
    loaded = heavy.stdout.strip()
    rows.append(Row("8", "heavy modules imported by full-package checks", loaded or "none", "-", None,
                    "no numpy, ortools", heavy.returncode == 0 and not loaded,
                    heavy.stderr.strip().splitlines()[-1] if heavy.returncode else ""))
    cli = Path(py).with_name("dealcheck")
    scenario = "scenarios/ukraine-ceasefire-2025.yaml"
    base = _run_time([py, "-c", "import yaml, click, attrs"], repeat)
    # Exit 1 means some package is no deal: still a finished check.
    ours = _run_time([str(cli), "check", scenario], min(repeat, 7), check=False)
    phases = [subprocess.run([py, "-c", _PHASES.format(path=scenario)], capture_output=True, text=True, cwd=ROOT,
                             env=_ENV, check=True).stdout.split() for _ in range(3)]
    imports, load_py, load_c, check = (statistics.median(float(p[k]) for p in phases) for k in range(4))
    rows.append(Row("8", f"dealcheck check {scenario}", fmt_time(ours), f"import yaml, click, attrs {fmt_time(base)}",
                    ours / base, "<= 2x", ours / base <= 2.0,
                    f"in-process phases: imports {imports * 1e3:.0f} ms (yaml, click and attrs included; the rest is "
                    f"mostly attrs creating dealcheck's ~150 classes), loading {load_py * 1e3:.0f} ms with PyYAML's "
                    f"pure-Python parser ({load_c * 1e3:.0f} ms with LibYAML, which dealcheck.yamlnodes uses only "
                    f"above {_libyaml_above() // 1024} KiB, for its exact depth cap), checking the 11 packages "
                    f"{check * 1e3:.0f} ms"))
    return rows


def _libyaml_above() -> int:
    from dealcheck.yamlnodes import LIBYAML_ABOVE

    return LIBYAML_ABOVE


# --- targets whose dealcheck side is not written yet ---------------------------------------------------------------

PENDING = [
    ("4", "listing deals as a stream", ">= 0.5x python-constraint2 iterator, >= 10x CP-SAT enumeration, "
     "constant memory at 16M deals"),
    ("5", "partial packages: does a deal completion exist", "never times out where CP-SAT finishes; <= 1.5x best"),
    ("6", "minimal conflict set", "<= 1.5x z3 unsat core + minimisation"),
    ("6", "fewest concessions", "<= 1.3x hand-written CP-SAT model"),
    ("7", "best, fairest, nearest deals at 128 and 512 terms", "<= 1.3x hand-written CP-SAT model"),
]


def target_pending(quick: bool) -> list[Row]:
    try:
        import z3  # noqa: F401

        z3_note = ""
    except ImportError:
        z3_note = "z3 not installed (pip install '.[bench]')"
    return [Row(t, what, "not measured yet", "-", None, goal, None, z3_note if t == "6" else "")
            for t, what, goal in PENDING]


TARGETS: list[tuple[str, Callable[[bool], list[Row]]]] = [
    ("full-package check", target_full_check),
    ("batch check", target_check_many),
    ("counting", target_counting),
    ("start-up", target_startup),
    ("pending", target_pending),
]


# --- output ---------------------------------------------------------------------------------------------------------


def table(rows: list[Row]) -> list[str]:
    head = ["#", "what", "dealcheck", "baseline", "ratio", "goal", "met"]
    body = []
    for r in rows:
        ratio = "-" if r.ratio is None else (f"{r.ratio:.1f} ms" if r.goal.endswith("ms") else f"{r.ratio:,.1f}x")
        met = {True: "met", False: "NOT MET", None: "-"}[r.met]
        body.append([r.target, r.what, r.ours, r.baseline, ratio, r.goal, met])
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    return lines


def write_doc(rows: list[Row], quick: bool, seconds: float) -> None:
    notes = [f"- target {r.target}, {r.what}: {r.note}" for r in rows if r.note]
    text = DOC.format(
        table="\n".join(table(rows)),
        mode="--quick" if quick else "full",
        seconds=f"{seconds:.0f}",
        machine=f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end",
        notes="\n".join(notes) or "- none",
    )
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "performance.md").write_text(text, encoding="utf-8")


DOC = """# Performance

Every figure is a ratio against a baseline measured in the same run (medians of several runs), so it holds on any
machine even though absolute times drift. Targets are those of issue 6. Last run: {mode} mode, {seconds} s,
{machine}.

{table}

"ratio" is baseline time / dealcheck time for speed-ups (higher is better); for start-up rows it is the overhead in
milliseconds or dealcheck's time over the baseline's (lower is better).

## Notes

{notes}

## How to reproduce

```
pip install -e '.[test,bench]'      # bench adds z3-solver for the conflict baseline
python benchmarks/run.py            # full run, under ten minutes on two cores; writes this file
python benchmarks/run.py --quick    # about a minute: smaller sizes, fewer repeats
```

Scenarios come from `benchmarks/generate.py`, seeded: `generate("many" | "tight" | "deadlocked", terms=N, seed=S)`
gives the `Scenario` directly, `.yaml()` the same scenario as a file, `.lambdas()` the hand-written-style
baseline. Red lines are drawn so that a planted package keeps every one (so `many` and `tight` always have deals)
and read terms close to each other, as real talks group terms into topics.

## How the fast paths work

- **Full package** (`Scenario.check`): rules compiled into one Python function over a tuple of codes
  (`dealcheck/solver/compiled.py`); the verdict object is then built around it.
- **Batch** (`Scenario.check_many`, `dealcheck/solver/vectorized.py`): each rule reads 1-3 terms, so its truth is
  a lookup table over their codes, computed once; every package then costs one mixed-radix index (shared by rules
  over the same terms) and one `numpy.take` per rule.
- **Counting** (`dealcheck/solver/counting.py`): per-rule truth tables, joined and summed out one variable at a
  time in greedy min-weight order (bucket elimination); independent parts multiply; wide rules are cut into
  functional pieces with auxiliary variables; exact Python integers throughout.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (about a minute)")
    parser.add_argument("--no-write", action="store_true", help="print the table but leave docs/performance.md")
    parser.add_argument("--only", action="append", help="run only targets whose name contains this (repeatable)")
    args = parser.parse_args()
    start = time.perf_counter()
    rows: list[Row] = []
    for name, fn in TARGETS:
        if args.only and not any(o in name for o in args.only):
            continue
        t = time.perf_counter()
        print(f"... {name}", file=sys.stderr, flush=True)
        rows += fn(args.quick)
        print(f"    {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - start
    print("\n".join(table(rows)))
    if not args.no_write and not args.only:
        write_doc(rows, args.quick, elapsed)
        print(f"\nwrote docs/performance.md ({elapsed:.0f} s)")


if __name__ == "__main__":
    main()
