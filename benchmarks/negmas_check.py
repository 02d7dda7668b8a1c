"""The solution points of dealcheck against NegMAS 0.16's, on the seven Genius domains (issue 11 item 4).

Run with the optional extra: ``pip install '.[interop]' && python benchmarks/negmas_check.py [GENIUS_DIR]``
(default: ``shared/genius`` beside the checkout). Not part of the default tests: NegMAS is a large AGPL-3.0
package that dealcheck itself never imports.

Per domain: ``dealcheck import genius`` on the XML files, then ``explore`` with each objective (exact fractions);
NegMAS 0.16 is given *the same* utility functions (the imported per-issue-normalised values and weights divided by
their sum, as floats; reserved values from the XML) and computes its Pareto frontier and its points with
``pareto_frontier``, ``max_welfare_points``, ``nash_points``, ``kalai_points`` (its egalitarian point) and
``ks_points`` (its Kalai-Smorodinsky point). Points are compared as utility vectors with a tolerance of 1e-9 (NegMAS
works in floats). Two readings of NegMAS are checked, because its defaults differ from dealcheck's on purpose:

- *defaults*: NegMAS measures gains from ``max(reserved value, the party's lowest utility over all outcomes)``
  and, for ``ks_points``, normalises by the best utility over all outcomes and minimises the spread of the
  normalised gains;
- *same reference*: ``ranges=[(d, h)]`` passed explicitly, with dealcheck's disagreement point ``d`` (the
  reservation value, else 0) and ideal ``h`` (best score over the deals).

Also checked: NegMAS's own Genius loader (``Scenario.from_genius_folder``), which keeps the raw evaluations (no
per-issue normalisation): whether its frontier is the same set of outcomes as dealcheck's. Prints a Markdown table
(the one in docs/interop.md).
"""

from __future__ import annotations

import sys
import time
import warnings
from fractions import Fraction
from pathlib import Path

from dealcheck import load_scenario
from dealcheck.analysis.explore import explore
from dealcheck.genius import genius_scenario, read_file

TOL = 1e-9


def domains(root: Path) -> list[tuple[Path, list[Path]]]:
    out = []
    for folder in sorted(root.glob("*")):
        files = sorted(folder.glob("*.xml"))
        domain = [f for f in files if "domain" in f.name.lower() and not f.name.lower().startswith("grocery_domain_")]
        if len(domain) == 1:
            out.append((domain[0], [f for f in files if f not in domain]))
    return out


def close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(abs(x - y) <= TOL for x, y in zip(a, b, strict=True))


def main() -> None:
    warnings.filterwarnings("ignore")
    import negmas
    from negmas.inout import Scenario as NegScenario
    from negmas.outcomes import make_issue, make_os
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.ops import kalai_points, ks_points, max_welfare_points, nash_points, pareto_frontier

    root = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else next(
            p / "shared" / "genius" for p in Path(__file__).resolve().parents if (p / "shared" / "genius").is_dir()
        )
    )
    print(f"NegMAS {negmas.__version__}; tolerance {TOL}\n")
    rows = []
    for domain, profiles in domains(root):
        text = genius_scenario(read_file(str(domain)), [read_file(str(p)) for p in profiles])
        s = load_scenario(text)
        start = time.perf_counter()
        reports = {o: explore(s, objective=o, top=1, pareto_limit=None) for o in ("total", "maximin", "nash", "kalai")}
        ours_time = time.perf_counter() - start
        ours_frontier = {tuple(float(x.score) for x in p.scores) for p in reports["total"].pareto}
        ours = {o: tuple(float(x.score) for x in r.best[0].scores) for o, r in reports.items()}
        ours_exact = {o: r.best[0].objective for o, r in reports.items()}

        # NegMAS on the same utilities.
        issues = [make_issue(list(t.domain.options), name=t.name) for t in s.terms]
        space = make_os(issues)
        ufuns = []
        for p in s.parties:
            total = sum(i.weight for i in p.utility.issues)
            values = {
                i.term: {o: float(v) for o, v in zip(s.term(i.term).domain.options, i.values, strict=True)}
                for i in p.utility.issues
            }
            u = LinearAdditiveUtilityFunction(
                values, weights={i.term: float(i.weight / total) for i in p.utility.issues}, outcome_space=space
            )
            u.reserved_value = float(p.accepts_at) if p.accepts_at else 0.0
            ufuns.append(u)
        start = time.perf_counter()
        outcomes = list(space.enumerate_or_sample())
        frontier, _ = pareto_frontier(ufuns, outcomes=outcomes, sort_by_welfare=True)
        rs = [u.reserved_value for u in ufuns]
        rational = [
            tuple(float(x) for x in f) for f in frontier if all(x >= r - TOL for x, r in zip(f, rs, strict=True))
        ]
        welfare = max_welfare_points(ufuns, rational, outcome_space=space)
        nash = nash_points(ufuns, rational, outcome_space=space)
        egal = kalai_points(ufuns, rational, outcome_space=space)
        ks = ks_points(ufuns, rational, outcome_space=space)
        d = [float(p.accepts_at or 0) for p in s.parties]
        h = [max(v[k] for v in ours_frontier) for k in range(len(s.parties))]
        same = [(d[k], h[k]) for k in range(len(s.parties))]
        nash_same = nash_points(ufuns, rational, ranges=same)
        egal_same = kalai_points(ufuns, rational, ranges=same)
        ks_same = ks_points(ufuns, rational, ranges=same)
        neg_time = time.perf_counter() - start

        def hit(ours_point: tuple[float, ...], points: tuple) -> str:
            return "yes" if any(close(ours_point, tuple(float(x) for x in pt)) for pt, _ in points) else "NO"

        # NegMAS's own loader: raw evaluations.
        raw = NegScenario.from_genius_folder(domain.parent)
        raw_outcomes = list(raw.outcome_space.enumerate_or_sample())
        raw_front, raw_idx = pareto_frontier(list(raw.ufuns), outcomes=raw_outcomes)
        raw_set = {tuple(str(x) for x in raw_outcomes[i]) for i in raw_idx}
        ours_set = {tuple(str(v) for v in p.values.values()) for p in reports["total"].pareto}
        order = [u.name for u in raw.ufuns]
        rows.append(
            {
                "domain": domain.parent.name,
                "outcomes": reports["total"].packages,
                "deals": reports["total"].deals,
                "frontier": len(ours_frontier),
                "frontier_equal": "yes"
                if len(rational) == len(ours_frontier)
                and all(any(close(a, b) for b in ours_frontier) for a in rational)
                else "NO",
                "welfare": (ours["total"], ours_exact["total"], hit(ours["total"], welfare)),
                "nash": (ours["nash"], ours_exact["nash"], hit(ours["nash"], nash), hit(ours["nash"], nash_same)),
                "egal": (
                    ours["maximin"],
                    ours_exact["maximin"],
                    hit(ours["maximin"], egal),
                    hit(ours["maximin"], egal_same),
                ),
                "ks": (ours["kalai"], ours_exact["kalai"], hit(ours["kalai"], ks), hit(ours["kalai"], ks_same)),
                "raw": "same" if raw_set == ours_set else f"differs ({len(raw_set)} vs {len(ours_set)} outcomes)",
                "raw_order": order,
                "time": (ours_time, neg_time),
            }
        )

    def pt(v: tuple[float, ...]) -> str:
        return "(" + ", ".join(f"{x:.4f}" for x in v) + ")"

    def ex(x: Fraction) -> str:
        return f"{float(x):.6f}"

    print(
        "| domain | outcomes | deals | frontier (= NegMAS) | welfare point (= NegMAS) | Nash point (= NegMAS default / same d) | egalitarian point (= default / same d) | KS point (= default / same d, h) | NegMAS raw loader frontier | time dealcheck / NegMAS |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        w, n, e, k = r["welfare"], r["nash"], r["egal"], r["ks"]
        print(
            f"| {r['domain']} | {r['outcomes']:,} | {r['deals']:,} | {r['frontier']} ({r['frontier_equal']}) "
            f"| {pt(w[0])} sum {ex(w[1])} ({w[2]}) | {pt(n[0])} {ex(n[1])} ({n[2]} / {n[3]}) "
            f"| {pt(e[0])} {ex(e[1])} ({e[2]} / {e[3]}) | {pt(k[0])} {ex(k[1])} ({k[2]} / {k[3]}) "
            f"| {r['raw']} | {r['time'][0]:.2f} s / {r['time'][1]:.2f} s |"
        )


if __name__ == "__main__":
    main()
