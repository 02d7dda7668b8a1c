"""dealcheck: check negotiation deal packages against each party's red lines and demands.

>>> import dealcheck
>>> scenario = dealcheck.load_scenario('''
... dealcheck: 1
... title: Toy talks
... terms:
...   ceasefire: {options: [none, energy, full], ordered: true}
...   minerals_deal: bool
... parties:
...   us:
...     demands:
...       minerals: {rule: minerals_deal, weight: 2, assumption: toy example}
...   russia:
...     red_lines:
...       no_full: {rule: ceasefire != "full", assumption: toy example}
... ''')
>>> verdict = scenario.check({"ceasefire": "full", "minerals_deal": True})
>>> verdict.deal
False
>>> [(p.party, p.broken, p.score) for p in verdict.parties]
[('us', (), 1.0), ('russia', ('no_full',), 1.0)]
"""

# Not ``from typing import TYPE_CHECKING``: importing typing alone costs a few milliseconds at start-up.
TYPE_CHECKING = False

__version__ = "0.1.0"

# Every public name loads on first use (PEP 562): ``import dealcheck`` reads this file and nothing else, so a
# program that imports the package to check one package pays only for what that check needs (the loader, PyYAML
# and the rule parser are not needed to check a scenario built in code). Rejected: importing the public classes
# eagerly as before (about 150 ms of attrs class creation and YAML machinery on every start-up).
_LAZY: dict[str, str] = {
    "DealcheckError": "dealcheck.errors",
    "Diagnostic": "dealcheck.errors",
    "ScenarioError": "dealcheck.errors",
    "Severity": "dealcheck.errors",
    "Span": "dealcheck.errors",
    "UsageError": "dealcheck.errors",
    "load_scenario": "dealcheck.loader",
    "Package": "dealcheck.model",
    "Party": "dealcheck.model",
    "Rule": "dealcheck.model",
    "RuleKind": "dealcheck.model",
    "Scenario": "dealcheck.model",
    "Source": "dealcheck.model",
    "Term": "dealcheck.model",
    "Variant": "dealcheck.model",
    "CheckReport": "dealcheck.results",
    "PackageVerdict": "dealcheck.results",
    "PartyVerdict": "dealcheck.results",
    "RuleOutcome": "dealcheck.results",
    "Status": "dealcheck.results",
    "CompareReport": "dealcheck.analysis.compare",
    "ConflictReport": "dealcheck.analysis.conflicts",
    "ExploreReport": "dealcheck.analysis.explore",
    "RepairReport": "dealcheck.analysis.repair",
    "ExpectationReport": "dealcheck.expectations",
    "Expectation": "dealcheck.expectations.claims",
    "BatchVerdict": "dealcheck.solver.vectorized",
}

if TYPE_CHECKING:
    from dealcheck.analysis.compare import CompareReport
    from dealcheck.analysis.conflicts import ConflictReport
    from dealcheck.analysis.explore import ExploreReport
    from dealcheck.analysis.repair import RepairReport
    from dealcheck.errors import DealcheckError, Diagnostic, ScenarioError, Severity, Span, UsageError
    from dealcheck.expectations import ExpectationReport
    from dealcheck.expectations.claims import Expectation
    from dealcheck.loader import load_scenario
    from dealcheck.model import Package, Party, Rule, RuleKind, Scenario, Source, Term, Variant
    from dealcheck.results import CheckReport, PackageVerdict, PartyVerdict, RuleOutcome, Status
    from dealcheck.solver.vectorized import BatchVerdict

__all__ = [
    "BatchVerdict",
    "CheckReport",
    "CompareReport",
    "ConflictReport",
    "DealcheckError",
    "Diagnostic",
    "Expectation",
    "ExpectationReport",
    "ExploreReport",
    "Package",
    "PackageVerdict",
    "Party",
    "PartyVerdict",
    "RepairReport",
    "Rule",
    "RuleKind",
    "RuleOutcome",
    "Scenario",
    "ScenarioError",
    "Severity",
    "Source",
    "Span",
    "Status",
    "Term",
    "UsageError",
    "Variant",
    "__version__",
    "load_scenario",
]


def __getattr__(name: str) -> object:
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif not name.startswith("_"):
        # A submodule not imported yet (``dealcheck.check`` after a bare ``import dealcheck``) loads on first use,
        # as it did when this file imported the loader and, with it, most of the package.
        try:
            value = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module 'dealcheck' has no attribute {name!r}") from None
    else:
        raise AttributeError(f"module 'dealcheck' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
