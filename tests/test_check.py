"""Checking packages: full packages by the compiled rules, partial ones by every backend, against brute force."""

from __future__ import annotations

import contextlib
import itertools
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealcheck import load_scenario
from dealcheck import partial as partial_module
from dealcheck.check import check_package, check_packages, check_selected
from dealcheck.errors import UsageError
from dealcheck.model import Package, Party, Rule, RuleKind, Scenario
from dealcheck.report.jsonfmt import render as render_json
from dealcheck.results import Status
from dealcheck.rules.evaluator import evaluate
from dealcheck.rules.ir import CmpOp, Compare, Const, Implies, IsTrue, Truth, Var
from dealcheck.rules.terms import BoolDomain, IntDomain, OptionsDomain, Term
from dealcheck.solver import brute
from dealcheck.solver.base import BACKENDS, SolveResult, SolveStatus
from dealcheck.testing.strategies import deals, packages, scenarios

BUNDLED = Path(__file__).resolve().parent.parent / "scenarios" / "ukraine-ceasefire-2025.yaml"


def _toy() -> Scenario:
    terms = (
        Term("ceasefire", 0, OptionsDomain(("none", "energy", "full"), ordered=True)),
        Term("minerals_deal", 1, BoolDomain()),
        Term("aid_bn", 2, IntDomain(0, 60)),
    )
    russia = Party(
        "russia",
        "Russia",
        red_lines=(
            Rule(
                "russia",
                "no_full",
                RuleKind.RED_LINE,
                'ceasefire != "full"',
                Compare(CmpOp.NE, Var(0), Const(2)),
                source="talks",
                quote="rejected a full 30-day ceasefire",
            ),
        ),
        demands=(
            Rule(
                "russia",
                "little_aid",
                RuleKind.DEMAND,
                "aid_bn <= 10",
                Compare(CmpOp.LE, Var(2), Const(10)),
                weight=2,
                assumption="inferred",
            ),
        ),
    )
    ukraine = Party(
        "ukraine",
        "Ukraine",
        red_lines=(
            Rule(
                "ukraine",
                "some",
                RuleKind.RED_LINE,
                'ceasefire >= "energy"',
                Compare(CmpOp.GE, Var(0), Const(1)),
                assumption="toy",
            ),
        ),
        demands=(
            Rule(
                "ukraine",
                "aid",
                RuleKind.DEMAND,
                "aid_bn >= 40",
                Compare(CmpOp.GE, Var(2), Const(40)),
                weight=3,
                assumption="toy",
            ),
            Rule(
                "ukraine",
                "minerals_aid",
                RuleKind.DEMAND,
                "minerals_deal implies aid_bn >= 20",
                Implies(IsTrue(1), Compare(CmpOp.GE, Var(2), Const(20))),
                assumption="toy",
            ),
        ),
    )
    us = Party("us", "United States", demands=())
    packages = (
        Package("truce", {"ceasefire": "energy", "minerals_deal": True, "aid_bn": 5}, title="Energy truce"),
        Package("open", {"minerals_deal": True}, title="Minerals first"),
    )
    return Scenario("Toy talks", terms, (russia, ukraine, us), packages=packages, path="toy.yaml")


def test_full_package_verdict_per_party():
    v = check_package(_toy(), {"ceasefire": "full", "minerals_deal": True, "aid_bn": 45})
    assert v.complete and not v.deal and v.deal_possible is False and not v.unknown
    russia, ukraine, us = v.parties
    assert (russia.acceptable, russia.broken, russia.met, russia.score) == (False, ("no_full",), (), 0.0)
    (no_full,) = russia.red_lines
    assert no_full.status is Status.BROKEN
    assert dict(no_full.values) == {"ceasefire": "full"}
    assert (no_full.quote, no_full.source, no_full.text) == (
        "rejected a full 30-day ceasefire",
        "talks",
        'ceasefire != "full"',
    )
    assert (ukraine.acceptable, ukraine.broken, ukraine.met, ukraine.score) == (True, (), ("aid", "minerals_aid"), 1.0)
    assert dict(ukraine.demands[1].values) == {"minerals_deal": True, "aid_bn": 45}
    assert (us.acceptable, us.score, us.met) == (True, 1.0, ())  # no demands: score 1.0
    assert v.exit_code == 1


def test_full_package_that_is_a_deal():
    v = check_package(_toy(), _toy().package("truce"))
    assert (v.package, v.title, v.deal, v.complete) == ("truce", "Energy truce", True, True)
    assert [p.score for p in v.parties] == [1.0, 0.0, 1.0]
    assert list(v.values) == ["ceasefire", "minerals_deal", "aid_bn"]
    assert v.exit_code == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_partial_package_statuses_forced_and_example(backend):
    v = check_package(_toy(), {"minerals_deal": True, "aid_bn": 30}, backend=backend)
    assert not v.complete and not v.deal and v.deal_possible is True and not v.unknown
    assert dict(v.forced) == {"ceasefire": "energy"}
    assert dict(v.example) == {"ceasefire": "energy", "minerals_deal": True, "aid_bn": 30}
    russia, ukraine, _ = v.parties
    assert russia.red_lines[0].status is Status.OPEN
    assert russia.red_lines[0].values == {"ceasefire": None}
    assert [d.status for d in ukraine.demands] == [Status.BROKEN, Status.HELD]
    assert (russia.score, russia.score_max, ukraine.score, ukraine.score_max) == (0.0, 0.0, 0.25, 0.25)
    assert russia.acceptable and ukraine.acceptable
    assert v.exit_code == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_partial_package_with_no_deal(backend):
    scenario = _toy()
    v = check_package(scenario, {"ceasefire": "none"}, backend=backend)
    assert v.deal_possible is False and v.example is None and dict(v.forced) == {}
    assert v.parties[1].broken == ("some",) and not v.parties[1].acceptable and v.parties[0].acceptable
    # score_max ignores red lines: the best completion for Ukraine gives aid >= 40 and satisfies the implication
    assert v.parties[1].score_max == 1.0
    assert v.exit_code == 1


def test_unknown_terms_and_values_are_usage_errors():
    with pytest.raises(UsageError, match="unknown term"):
        check_package(_toy(), {"ceasfire": "full"})
    with pytest.raises(UsageError, match="not an option"):
        check_package(_toy(), {"ceasefire": "total"})
    with pytest.raises(UsageError, match="outside the range"):
        check_package(_toy(), {"aid_bn": 61})
    with pytest.raises(UsageError, match="unknown package"):
        check_packages(_toy(), ["trcue"])


def test_check_packages_and_selected():
    report = check_packages(_toy())
    assert [v.package for v in report.verdicts] == ["truce", "open"]
    assert (report.scenario, report.path) == ("Toy talks", "toy.yaml")
    assert report.exit_code == 0
    report = check_selected(_toy(), [(None, None, {"ceasefire": "energy"})], backend="brute")
    assert report.verdicts[0].package is None and report.verdicts[0].deal_possible is True


@pytest.mark.slow
def test_engine_is_still_accepted_as_the_backend_s_former_name():
    """``engine=`` and ``--engine`` were the names before "backend" (issue 13); callers that use them still work."""
    from click.testing import CliRunner

    from dealcheck.cli import cli

    partial = {"minerals_deal": True}
    assert check_package(_toy(), partial, engine="brute") == check_package(_toy(), partial, backend="brute")
    with pytest.raises(UsageError, match="unknown backend"):
        check_package(_toy(), partial, engine="z3")
    bundled = "scenarios/ukraine-ceasefire-2025.yaml"
    # A small space (a package and two more terms given): the listing backend proves each excluded option by search.
    small = ["-p", "mediator_phased_truce", "--set", "european_aid=none", "--set", "zaporizhzhia=us_owned"]
    old = CliRunner().invoke(cli, ["explore", bundled, *small, "--engine", "constraint", "--limit", "5", "--top", "0"])
    new = CliRunner().invoke(cli, ["explore", bundled, *small, "--backend", "constraint", "--limit", "5", "--top", "0"])
    assert (old.exit_code, old.output) == (new.exit_code, new.output)


def test_time_limit_makes_the_verdict_unknown_and_claims_nothing(monkeypatch):
    monkeypatch.setattr(partial_module, "LOCAL_LIMIT", 0)  # every question goes to the (timed-out) solver
    monkeypatch.setattr(brute, "find_solution", lambda *a, **k: SolveResult(SolveStatus.UNKNOWN))
    monkeypatch.setattr(brute, "lexmin_solution", lambda *a, **k: SolveResult(SolveStatus.UNKNOWN))
    v = check_package(_toy(), {"minerals_deal": True}, backend="brute", time_limit=1.0)
    assert v.unknown and v.deal_possible is None and v.example is None and dict(v.forced) == {}
    assert v.parties[0].red_lines[0].status is Status.OPEN
    assert v.exit_code == 4
    # what the evaluator settles without a solver is still reported
    assert v.parties[1].demands[0].status is Status.OPEN and v.parties[2].acceptable


def test_real_time_limit_on_cpsat():
    v = check_package(_toy(), {"minerals_deal": True}, time_limit=1e-9)
    assert v.unknown and v.deal_possible is None and v.exit_code == 4


@pytest.mark.slow
def test_full_check_imports_neither_ortools_nor_numpy():
    code = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, "tests")
        from test_check import _toy
        from dealcheck.check import check_package
        v = check_package(_toy(), {"ceasefire": "energy", "minerals_deal": False, "aid_bn": 0})
        assert v.deal, v
        heavy = sorted(m for m in ("ortools", "numpy", "constraint") if m in sys.modules)
        assert not heavy, heavy
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


# --- against brute force on generated scenarios ---------------------------------------------------------------


def _reference(scenario: Scenario, fixed: tuple[int | None, ...]):
    open_domains = [t.domain.codes if c is None else (c,) for t, c in zip(scenario.terms, fixed, strict=True)]
    completions = list(itertools.product(*open_domains))
    statuses = {}
    for r in scenario.rules():
        truths = {evaluate(r.expr, c) for c in completions}
        statuses[r.ref] = Status.HELD if truths == {True} else Status.BROKEN if truths == {False} else Status.OPEN
    red = list(scenario.red_lines())
    deals = [c for c in completions if all(evaluate(r.expr, c) for r in red)]
    forced = {}
    if deals:
        for t in scenario.terms:
            values = {d[t.index] for d in deals}
            if fixed[t.index] is None and len(values) == 1:
                forced[t.name] = t.decode(values.pop())
    parties = {}
    for p in scenario.parties:
        acceptable = any(all(evaluate(r.expr, c) for r in p.red_lines) for c in completions)
        total = p.total_weight
        best = max(sum(d.weight for d in p.demands if evaluate(d.expr, c)) for c in completions)
        parties[p.id] = (acceptable, 1.0 if total == 0 else best / total)
    example = scenario.decode(min(deals)) if deals else None
    return statuses, bool(deals), forced, example, parties


#: How a partial check may answer: its cheap steps first (the default), or every question sent to the solver
#: (``LOCAL_LIMIT = 0``), with or without the pool's neighbours tried first.
MODES = {"default": (partial_module.LOCAL_LIMIT, True), "solver": (0, False), "solver+neighbours": (0, True)}


@contextlib.contextmanager
def _mode(name: str):
    saved = partial_module.LOCAL_LIMIT, partial_module.NEIGHBOURS
    partial_module.LOCAL_LIMIT, partial_module.NEIGHBOURS = MODES[name]
    try:
        yield
    finally:
        partial_module.LOCAL_LIMIT, partial_module.NEIGHBOURS = saved


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(st.data())
def test_partial_checks_match_brute_force(data):
    scenario = data.draw(
        scenarios(max_terms=4, max_parties=3, max_rules=2, max_depth=2, max_int_width=3), label="scenario"
    )
    backend = data.draw(st.sampled_from(BACKENDS), label="backend")
    mode = data.draw(st.sampled_from(sorted(MODES)), label="mode")
    values = scenario.packages[0].values
    with _mode(mode):
        v = check_package(scenario, values, backend=backend)
    fixed = scenario.encode(values)
    statuses, possible, forced, example, parties = _reference(scenario, fixed)
    assert not v.unknown
    got = {o.ref: o.status for p in v.parties for o in p.red_lines + p.demands}
    assert got == statuses
    if v.complete:
        assert v.deal == possible and v.deal_possible is v.deal
    else:
        assert v.deal_possible == possible
        assert dict(v.forced) == forced
        assert (dict(v.example) if v.example is not None else None) == example
        for p in v.parties:
            acceptable, score_max = parties[p.party]
            assert p.acceptable == acceptable
            assert p.score_max == pytest.approx(score_max)
    for p in v.parties:
        assert p.broken == tuple(o.id for o in p.red_lines if o.status is Status.BROKEN)
        assert p.met == tuple(o.id for o in p.demands if o.status is Status.HELD)


@pytest.mark.slow
def test_every_mode_gives_the_same_verdicts_on_the_bundled_scenario():
    """The cheap steps change how many solves a check needs, never its answers (every backend, every mode)."""
    scenario = load_scenario(BUNDLED)
    verdicts = set()
    for mode in MODES:
        for backend in ("cpsat", "constraint"):
            with _mode(mode):
                verdicts.add(render_json(check_packages(scenario, backend=backend)))
    assert len(verdicts) == 1


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(st.data())
def test_full_checks_match_the_evaluator(data):
    scenario = data.draw(scenarios(max_terms=4, max_depth=3))
    values = data.draw(packages(scenario))
    v = check_package(scenario, values)
    fixed = scenario.encode(values)
    assert v.complete
    assert v.deal == all(evaluate(r.expr, fixed) for r in scenario.red_lines())
    for party, pv in zip(scenario.parties, v.parties, strict=True):
        assert pv.broken == tuple(r.id for r in party.red_lines if not evaluate(r.expr, fixed))
        met = [d for d in party.demands if evaluate(d.expr, fixed)]
        assert pv.met == tuple(d.id for d in met)
        assert pv.score == pytest.approx(sum(d.weight for d in met) / party.total_weight if party.demands else 1.0)


# --- the sessions a partial check asks its questions through ---------------------------------------------------


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(st.data())
def test_session_questions_match_brute_force(data):
    """CP-SAT's one-model session and the generic session agree with brute force on every question kind."""
    from dealcheck.rules.evaluator import evaluate_int
    from dealcheck.rules.ir import Arith, ArithOp, Count
    from dealcheck.solver import cpsat, pyconstraint
    from dealcheck.solver.base import Constraints
    from dealcheck.solver.session import open_session
    from dealcheck.testing.strategies import codes, rules

    scenario = data.draw(scenarios(max_terms=3, max_parties=1, max_rules=1), label="scenario")
    fixed = data.draw(codes(scenario, partial=True), label="fixed")
    problem = Constraints(tuple(t.domain.codes for t in scenario.terms), (), fixed)
    conditions = data.draw(st.lists(rules(scenario, max_depth=2), max_size=2), label="conditions")
    wanted = data.draw(st.lists(rules(scenario, max_depth=1), min_size=1, max_size=3), label="wanted")
    objective = Arith(ArithOp.SUB, Count(tuple(wanted)), Count(tuple(conditions) or (Truth(False),)))
    space = [c for c in brute.iterate_solutions(problem.with_constraints(*conditions))]
    best = max((evaluate_int(objective, c) for c in space), default=None)
    for session in (cpsat.CpsatSession(problem), open_session(pyconstraint, problem)):
        lexmin = session.lexmin(conditions)
        assert lexmin.solution == (space[0] if space else None)
        top = session.maximise(objective, conditions)
        assert top.status is (SolveStatus.SAT if space else SolveStatus.UNSAT)
        if space:
            assert evaluate_int(objective, top.solution) == best
    most = cpsat.CpsatSession(problem).find_most(conditions, wanted)
    hits = [c for c in space if any(evaluate(w, c) for w in wanted)]
    assert most.status is (SolveStatus.SAT if hits else SolveStatus.UNSAT)
    if hits:
        assert most.solution in hits


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.data())
def test_opening_terms_of_a_deal_keeps_a_deal_possible(data):
    """Any deal (drawn through the solver by the shipped ``deals`` strategy), with some terms opened again: a deal
    completion exists, every party can accept, the example is no larger than the deal, forced terms agree with it."""
    scenario = data.draw(scenarios(max_terms=4, max_parties=3, max_rules=2, max_depth=2), label="scenario")
    deal = data.draw(deals(scenario), label="deal")
    assert check_package(scenario, deal).deal
    opened = data.draw(st.sets(st.sampled_from([t.name for t in scenario.terms])), label="opened")
    partial = {k: v for k, v in deal.items() if k not in opened}
    v = check_package(scenario, partial, backend=data.draw(st.sampled_from(BACKENDS), label="backend"))
    if v.complete:
        return
    assert v.deal_possible and all(p.acceptable for p in v.parties) and not any(p.broken for p in v.parties)
    assert scenario.encode(v.example) <= scenario.encode(deal)
    assert all(deal[name] == value for name, value in v.forced.items())
