"""Is pyganak (Ganak, an exact #SAT counter) worth adopting for counting deals? A measurement, run by hand:

    pip install pyganak && python benchmarks/pyganak_eval.py

Each term is one-hot encoded (one Boolean per value, exactly one true), each rule forbids the value combinations
of its terms under which it fails (one clause each), so models and deals correspond one to one. Compared with
dealcheck's planner on the same problems: the dense family (every pair of terms coupled) and the generated
``many`` family of the counting benchmarks. The encoding time is counted for pyganak (dealcheck's is its own).
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate
from limits import dense_rules

from dealcheck.rules.evaluator import evaluate
from dealcheck.rules.ir import term_indices
from dealcheck.solver.planner import count


def ganak_count(domains: list[range], rules: list) -> int:  # type: ignore[type-arg]
    from pyganak import Counter

    c = Counter()
    var = {}
    for t, d in enumerate(domains):
        for v in d:
            var[t, v] = len(var) + 1
    c.new_vars(len(var))
    for t, d in enumerate(domains):
        c.add_clause([var[t, v] for v in d])
        for a, b in itertools.combinations(d, 2):
            c.add_clause([-var[t, a], -var[t, b]])
    for r in rules:
        scope = sorted(term_indices(r))
        env = [d[0] for d in domains]
        for row in itertools.product(*(domains[t] for t in scope)):
            for t, v in zip(scope, row, strict=True):
                env[t] = v
            if not evaluate(r, env):
                c.add_clause([-var[t, v] for t, v in zip(scope, row, strict=True)])
    return int(c.count())


def main() -> None:
    cases = []
    for k in (8, 9, 10):
        cases.append((f"dense, {k} terms of 10 values", [range(1, 11)] * k, dense_rules(k)))
    for n in (14, 16, 48):
        g = generate("many", terms=n, seed=5)
        cases.append((f"generated 'many', {n} terms", g.domains(), [r.expr for r in g.red_lines]))
    for what, doms, rules in cases:
        t = time.perf_counter()
        ours = count(doms, rules)
        t_ours = time.perf_counter() - t
        t = time.perf_counter()
        theirs = ganak_count(doms, rules)
        t_theirs = time.perf_counter() - t
        assert theirs == ours.low, (what, theirs, ours.low)
        print(
            f"| {what} | {ours.low:.4g} | {t_ours * 1e3:.1f} ms ({ours.parts[-1].method}) | {t_theirs * 1e3:.1f} ms |"
        )


if __name__ == "__main__":
    main()
