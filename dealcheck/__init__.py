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

from typing import Any

from dealcheck.errors import DealcheckError, Diagnostic, ScenarioError, Severity, Span, UsageError
from dealcheck.loader import load_scenario
from dealcheck.model import Package, Party, Rule, RuleKind, Scenario, Source, Term, Variant
from dealcheck.results import CheckReport, PackageVerdict, PartyVerdict, RuleOutcome, Status

__version__ = "0.1.0"

# The analyses' report classes load on first use: ``import dealcheck`` stays cheap for a full-package check.
_LAZY: dict[str, str] = {
    "CompareReport": "dealcheck.analysis.compare",
    "ConflictReport": "dealcheck.analysis.conflicts",
    "ExploreReport": "dealcheck.analysis.explore",
    "RepairReport": "dealcheck.analysis.repair",
    "ExpectationReport": "dealcheck.expectations",
    "BatchVerdict": "dealcheck.solver.vectorized",
}

__all__ = [
    "BatchVerdict",
    "CheckReport",
    "CompareReport",
    "ConflictReport",
    "DealcheckError",
    "Diagnostic",
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


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dealcheck' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
