"""The full-package fast path (one compiled call, verdict parts built on first read) means what the exact path means."""

from __future__ import annotations

import copy
import pickle

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.check import check_package
from dealcheck.errors import UsageError
from dealcheck.model import Package, Party, Rule, RuleKind, Scenario
from dealcheck.partial import party_verdict
from dealcheck.results import PackageVerdict, Status
from dealcheck.rules.evaluator import evaluate
from dealcheck.rules.ir import CmpOp, Compare, Const, IsTrue, Var
from dealcheck.rules.terms import BoolDomain, IntDomain, OptionsDomain, Term
from dealcheck.solver.compiled import compile_full_check, full_check_source, scenario_checker
from dealcheck.testing.strategies import packages, scenarios


def _toy() -> Scenario:
    terms = (
        Term("ceasefire", 0, OptionsDomain(("none", "energy", "full"), ordered=True)),
        Term("minerals", 1, BoolDomain()),
        Term("aid", 2, IntDomain(0, 60)),
    )
    rule = Rule(
        "russia",
        "no_full",
        RuleKind.RED_LINE,
        "ceasefire != full",
        Compare(CmpOp.NE, Var(0), Const(2)),
        quote="q",
        source="s",
    )
    demand = Rule("us", "minerals", RuleKind.DEMAND, "minerals", IsTrue(1), weight=2, assumption="toy")
    aid = Rule("us", "aid", RuleKind.RED_LINE, "aid <= 40", Compare(CmpOp.LE, Var(2), Const(40)), assumption="toy")
    return Scenario("Toy", terms, (Party("russia", "Russia", (rule,)), Party("us", "US", (aid,), (demand,))))


def _exact(scenario: Scenario, values: dict) -> PackageVerdict:
    """The verdict built the slow, obvious way: the evaluator per rule, the partial path's party builder."""
    codes = scenario.encode(values)
    statuses = {r.ref: Status.HELD if evaluate(r.expr, codes) else Status.BROKEN for r in scenario.rules()}
    parties = tuple(
        party_verdict(scenario, p, codes, statuses, acceptable=None, score_max=None) for p in scenario.parties
    )
    return PackageVerdict(None, None, scenario.decode(codes), True, all(p.acceptable for p in parties), parties)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_fast_verdict_equals_the_exact_one(data: st.DataObject) -> None:
    scenario = data.draw(scenarios())
    values = data.draw(packages(scenario))
    fast = check_package(scenario, values)
    exact = _exact(scenario, values)
    assert fast.deal == exact.deal
    assert fast == exact and exact == fast  # both directions, field by field (outcomes included)
    assert repr(fast) == repr(exact)


def test_deal_is_answered_without_building_parties(monkeypatch: pytest.MonkeyPatch) -> None:
    import dealcheck.check

    built = []
    real = dealcheck.check._full_parts
    monkeypatch.setattr(dealcheck.check, "_full_parts", lambda *args: built.append(1) or real(*args))
    s = _toy()
    v = s.check({"ceasefire": "full", "minerals": True, "aid": 10})
    assert v.deal is False and v.complete and v.ok is False and v.exit_code == 1
    assert built == []  # the deal is known; the parties are not built until read
    assert v.parties[0].broken == ("no_full",)
    assert built == [1]  # built once, on first read
    assert [p.broken for p in v.parties] == [("no_full",), ()]
    assert v.parties[1].score == 1.0 and v.parties[1].met == ("minerals",)
    assert v.parties[0].red_lines[0].values == {"ceasefire": "full"}
    assert v.parties[0].red_lines[0].quote == "q"
    assert dict(v.values) == {"ceasefire": "full", "minerals": True, "aid": 10}


def test_values_are_a_snapshot() -> None:
    s = _toy()
    values = {"aid": 10, "ceasefire": "none", "minerals": False}
    v = s.check(values)
    values["ceasefire"] = "full"
    assert v.deal is True and list(v.values) == ["ceasefire", "minerals", "aid"]  # term order
    assert v.parties[0].broken == ()


def test_deferred_verdict_behaves_like_a_package_verdict() -> None:
    s = _toy()
    values = {"ceasefire": "energy", "minerals": True, "aid": 50}
    v = s.check(values)
    exact = _exact(s, values)
    assert isinstance(v, PackageVerdict)
    assert pickle.loads(pickle.dumps(v)) == exact
    assert copy.copy(v) == exact and copy.deepcopy(v) == exact
    assert attrs.evolve(v, title="t") == attrs.evolve(exact, title="t")
    assert attrs.asdict(v) == attrs.asdict(exact)
    assert v != attrs.evolve(exact, deal=True)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        v.deal = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(v)


@pytest.mark.parametrize(
    "values",
    [
        {"ceasefire": "full", "minerals": 1, "aid": 10},  # 1 is not a boolean
        {"ceasefire": "full", "minerals": True, "aid": True},  # True is not an integer
        {"ceasefire": "full", "minerals": True, "aid": 10.0},
        {"ceasefire": "full", "minerals": True, "aid": 61},
        {"ceasefire": "nope", "minerals": True, "aid": 1},
        {"ceasefire": ["full"], "minerals": True, "aid": 1},  # unhashable
        {"ceasefire": "full", "minerals": True, "aid": 1, "other": 2},
    ],
)
def test_invalid_values_take_the_exact_path_and_its_errors(values: dict) -> None:
    s = _toy()
    assert scenario_checker(s).full_check(values) is None
    with pytest.raises(UsageError):
        s.check(values)


def test_unusual_but_valid_types_take_the_exact_path() -> None:
    class Name(str):
        pass

    s = _toy()
    values = {"ceasefire": Name("full"), "minerals": True, "aid": 10}
    v = s.check(values)
    assert v.deal is False and type(v.values["ceasefire"]) is str
    assert v == _exact(s, {"ceasefire": "full", "minerals": True, "aid": 10})


def test_packages_and_partial_packages_still_go_their_ways() -> None:
    s = _toy()
    v = check_package(s, Package("p", {"ceasefire": "none", "minerals": True, "aid": 0}, title="T"))
    assert (v.package, v.title, v.deal) == ("p", "T", True)
    assert check_package(s, {"ceasefire": "none"}, backend="brute").deal_possible is True


def test_generated_source_holds_no_user_text() -> None:
    terms = (
        Term("__import__('os')", 0, OptionsDomain(("x'); exec('1", "zz_option"))),
        Term("qq_flag", 1, BoolDomain()),
    )
    source = full_check_source(terms, [Compare(CmpOp.NE, Var(0), Const(1)), IsTrue(1)])
    for text in ("import", "exec", "zz_option", "qq_flag"):
        assert text not in source
    check = compile_full_check(terms, [Compare(CmpOp.NE, Var(0), Const(1)), IsTrue(1)])
    assert check({"__import__('os')": "x'); exec('1", "qq_flag": True}) is True
    assert compile_full_check((), [])({}) is True
    assert compile_full_check((), [])({"x": 1}) is None
