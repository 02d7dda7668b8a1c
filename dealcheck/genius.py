"""Genius negotiation domains in, dealcheck scenarios out: ``dealcheck import genius DOMAIN.xml PROFILE.xml ...``.

In: a Genius domain file (issues and their values) and one utility profile per party (issue weights, per-value
evaluations, optional reservation value and discount factor), as bytes. Out: the text of a scenario file (YAML)
that :func:`dealcheck.loader.load_scenario` reads: one term per issue (id cleaned from the issue's name, the name
kept in the description, the values as options in file order), one party per profile with a ``utility`` and,
when the profile has a positive reservation value, ``accepts_at``; the XML files as sources, each utility quoting
its first ``<weight ...>`` tag and each reservation value its ``<reservation ...>`` tag, so that
``dealcheck validate FILE --sources DIR`` verifies them against the files.

Reading, as Genius does: every evaluation is divided by the largest evaluation of its issue in that profile
(written out as exact values in [0, 1], so the scenario says ``normalise: none`` and means exactly what it shows);
weights are kept exactly as written (decimal text, never a float). The discount factor is not part of a single
agreement's value and is left out (the description says so).

Safety: XML is parsed with the standard library's expat, refusing any document type declaration (so no entity,
internal or external, is ever expanded: no "billion laughs", no file or network access), files over
:data:`MAX_XML_BYTES` and documents over :data:`MAX_ELEMENTS` elements. Every problem is a diagnostic at the XML
file's line and column with a hint (codes DC801-DC806), and the command exits 2; never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any
from xml.parsers import expat

import attrs
from attrs import field

from dealcheck.errors import Diagnostic, ScenarioError, Span
from dealcheck.model import Scenario
from dealcheck.rules.parser import KEYWORDS
from dealcheck.rules.terms import MAX_LISTED_VALUES
from dealcheck.utility import exact_text

__all__ = ["MAX_ELEMENTS", "MAX_XML_BYTES", "WEIGHT_TOLERANCE", "export_genius", "genius_scenario"]

#: Genius files are a few kilobytes; anything this large is not one.
MAX_XML_BYTES = 4 * 1024 * 1024
MAX_ELEMENTS = 100_000
#: Genius writes weights as binary doubles printed in decimal, and some shipped profiles are further off (Laptop's
#: buyer sums to 1.0000518); a profile whose weights miss 1 by more than this is refused. A score divides by the
#: sum, so a small miss scales that party's scores by a constant (which changes no frontier, Nash or
#: Kalai-Smorodinsky point); the check is that the file is what it claims to be.
WEIGHT_TOLERANCE = Fraction(1, 10**3)

_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


@attrs.frozen
class _Element:
    tag: str
    attrs: dict[str, str]
    line: int
    column: int
    raw: str  # the start tag as written, for quotes
    children: list[_Element] = field(factory=list)  # not attrs.field: the field above shadows the module

    def find_all(self, tag: str) -> list[_Element]:
        out = []
        for c in self.children:
            if c.tag == tag:
                out.append(c)
            out += c.find_all(tag)
        return out


class _Problems(Exception):
    pass


class _Reader:
    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self.data = data
        self.lines = data.decode("utf-8", errors="replace").splitlines()
        self.diagnostics: list[Diagnostic] = []

    def error(self, code: str, message: str, line: int, column: int, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, Span(self.path, line, column), hint=hint))

    def fail(self) -> None:
        if self.diagnostics:
            raise ScenarioError(self.diagnostics, self.lines)

    def parse(self) -> _Element:
        if len(self.data) > MAX_XML_BYTES:
            self.error(
                "DC801",
                f"the file is {len(self.data):,} bytes, over the limit of {MAX_XML_BYTES:,} for a Genius file",
                1,
                1,
                "a Genius domain or profile is a few kilobytes: check that this is the right file",
            )
            self.fail()
        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        root: list[_Element] = []
        stack: list[_Element] = []
        count = 0

        def refuse(*_: object) -> None:
            raise _Problems("DC802")

        def start(tag: str, attributes: dict[str, str]) -> None:
            nonlocal count
            count += 1
            if count > MAX_ELEMENTS:
                raise _Problems("DC801")
            at = parser.CurrentByteIndex
            end = self.data.find(b">", at)
            raw = self.data[at : end + 1].decode("utf-8", errors="replace") if end >= 0 else ""
            e = _Element(tag, dict(attributes), parser.CurrentLineNumber, parser.CurrentColumnNumber + 1, raw)
            (stack[-1].children if stack else root).append(e)
            stack.append(e)

        def end(_: str) -> None:
            stack.pop()

        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        try:
            parser.Parse(self.data, True)
        except _Problems as p:
            if str(p) == "DC802":
                self.error(
                    "DC802",
                    "the file declares a document type or entities, which a Genius file never does",
                    parser.CurrentLineNumber,
                    parser.CurrentColumnNumber + 1,
                    "remove the <!DOCTYPE ...> declaration: entities are refused, never expanded",
                )
            else:
                self.error("DC801", f"the file has over {MAX_ELEMENTS:,} elements", 1, 1, "check the file")
            self.fail()
        except expat.ExpatError as e:
            self.error(
                "DC801",
                f"not well-formed XML: {expat.ErrorString(e.code)}",
                e.lineno,
                e.offset + 1,
                "a Genius file is XML written by Genius or NegMAS; check it was not truncated or edited by hand",
            )
            self.fail()
        return root[0]

    def number(self, e: _Element, key: str, what: str, *, hint: str) -> Fraction | None:
        text = e.attrs.get(key)
        if text is None:
            self.error("DC803", f"{what} has no {key} attribute", e.line, e.column, hint)
            return None
        text = text.strip()
        if not _NUMBER.fullmatch(text):
            self.error("DC806", f"{what}: {key}={text!r} is not a number", e.line, e.column, hint)
            return None
        return Fraction(text) if "e" not in text.lower() else Fraction(text.lower())


@attrs.frozen
class _Issue:
    name: str
    values: tuple[str, ...]


@attrs.frozen
class _Profile:
    path: str
    weights: dict[str, Fraction]
    evaluations: dict[str, dict[str, Fraction]]
    reservation: Fraction | None
    weight_quote: str
    reservation_quote: str | None
    discount: Fraction | None


def _read_domain(path: str, data: bytes) -> list[_Issue]:
    r = _Reader(path, data)
    root = r.parse()
    issues = root.find_all("issue")
    if not issues:
        r.error(
            "DC803",
            "the domain declares no issues",
            root.line,
            root.column,
            "a Genius domain lists <issue name=...> elements with <item value=...> children",
        )
    out: list[_Issue] = []
    seen: set[str] = set()
    for issue in issues:
        name = issue.attrs.get("name")
        if not name:
            r.error("DC803", "an issue has no name", issue.line, issue.column, 'add name="..."')
            continue
        kind = issue.attrs.get("type", "discrete")
        if kind != "discrete" or issue.attrs.get("vtype", "discrete") != "discrete":
            r.error(
                "DC803",
                f"issue {name!r} is of type {kind!r}: only discrete issues are imported",
                issue.line,
                issue.column,
                "list its values as <item value=...> elements (a discrete issue)",
            )
            continue
        if name in seen:
            r.error("DC803", f"issue {name!r} is declared twice", issue.line, issue.column, "give each issue one name")
            continue
        seen.add(name)
        values: list[str] = []
        for item in issue.find_all("item"):
            v = item.attrs.get("value")
            if v is None:
                r.error("DC803", f"an item of issue {name!r} has no value", item.line, item.column, 'add value="..."')
            elif v in values:
                r.error("DC803", f"value {v!r} of issue {name!r} is listed twice", item.line, item.column)
            else:
                values.append(v)
        if not values and not any(d.line == issue.line for d in r.diagnostics):
            r.error("DC803", f"issue {name!r} has no values", issue.line, issue.column, "add <item value=...>")
        out.append(_Issue(name, tuple(values)))
    r.fail()
    return out


def _read_profile(path: str, data: bytes, issues: Sequence[_Issue]) -> _Profile:
    r = _Reader(path, data)
    root = r.parse()
    by_name = {i.name: i for i in issues}
    index_to_name: dict[str, str] = {}
    evaluations: dict[str, dict[str, Fraction]] = {}
    for issue in root.find_all("issue"):
        name = issue.attrs.get("name", "")
        if name not in by_name:
            r.error(
                "DC804",
                f"the profile evaluates issue {name!r}, which the domain does not declare",
                issue.line,
                issue.column,
                "the domain's issues are " + ", ".join(by_name),
            )
            continue
        index_to_name[issue.attrs.get("index", "")] = name
        evals: dict[str, Fraction] = {}
        for item in issue.find_all("item"):
            value = item.attrs.get("value")
            if value not in by_name[name].values:
                r.error(
                    "DC804",
                    f"value {value!r} of issue {name!r} is not in the domain",
                    item.line,
                    item.column,
                    "the domain's values are " + ", ".join(by_name[name].values),
                )
                continue
            x = r.number(item, "evaluation", f"value {value!r} of issue {name!r}", hint='write evaluation="<number>"')
            if x is not None and x < 0:
                r.error("DC806", f"value {value!r} of issue {name!r} has a negative evaluation", item.line, item.column)
            elif x is not None:
                evals[value] = x
        evaluations[name] = evals
    for name in by_name:
        if name not in evaluations:
            r.error(
                "DC804",
                f"the profile does not evaluate issue {name!r}",
                root.line,
                root.column,
                "a profile evaluates every issue of its domain",
            )
    weights: dict[str, Fraction] = {}
    first_weight = None
    for w in root.find_all("weight"):
        issue_name = index_to_name.get(w.attrs.get("index", ""))
        if issue_name is None:
            r.error("DC804", f"a weight refers to issue index {w.attrs.get('index')!r}", w.line, w.column)
            continue
        x = r.number(w, "value", f"the weight of issue {issue_name!r}", hint='write value="<number>"')
        if x is not None and x < 0:
            r.error("DC806", f"the weight of issue {issue_name!r} is negative", w.line, w.column)
        elif x is not None:
            weights[issue_name] = x
            first_weight = first_weight or w
    for name in evaluations:
        if name not in weights and not r.diagnostics:
            r.error(
                "DC805", f"issue {name!r} has no weight", root.line, root.column, 'add <weight index=".." value="..">'
            )
    total = sum(weights.values(), Fraction(0))
    if weights and len(weights) == len(evaluations) and abs(total - 1) > WEIGHT_TOLERANCE:
        r.error(
            "DC805",
            f"the issue weights sum to {float(total):.9g}, not 1",
            root.line,
            root.column,
            "Genius weights sum to 1; fix the profile (a score would divide by the sum and hide the error)",
        )
    reservation = quote_r = None
    for e in root.find_all("reservation"):
        reservation = r.number(e, "value", "the reservation value", hint='write value="<number in [0, 1]>"')
        quote_r = e.raw
        if reservation is not None and not 0 <= reservation <= 1:
            r.error("DC806", f"the reservation value {float(reservation)} is outside [0, 1]", e.line, e.column)
    discount = None
    for e in root.find_all("discount_factor"):
        discount = r.number(e, "value", "the discount factor", hint='write value="<number>"')
    r.fail()
    assert first_weight is not None  # every issue has a weight, and there is at least one issue
    return _Profile(path, weights, evaluations, reservation, first_weight.raw, quote_r, discount)


def _clean_id(name: str, taken: set[str]) -> str:
    """A valid id from a Genius name: lower case, non-alphanumerics as ``_``, not a keyword, unique."""
    base = re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").lower() or "x"
    if base[0].isdigit():
        base = "x_" + base
    if base in KEYWORDS:
        base += "_"
    out, k = base, 2
    while out in taken:
        out, k = f"{base}_{k}", k + 1
    taken.add(out)
    return out


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def genius_scenario(domain: tuple[str, bytes], profiles: Sequence[tuple[str, bytes]]) -> str:
    """The scenario text for a Genius domain and its profiles (each ``(file name, bytes)``).

    Raises :class:`~dealcheck.errors.ScenarioError` with every problem of the first bad file.

    >>> dom = b'<negotiation_template><utility_space><objective name="root"><issue name="Colour" type="discrete">' \\
    ...       b'<item value="red"/><item value="blue"/></issue></objective></utility_space></negotiation_template>'
    >>> prof = b'<utility_space><objective><issue index="1" name="Colour"><item value="red" evaluation="2"/>' \\
    ...        b'<item value="blue" evaluation="8"/></issue><weight index="1" value="1.0"/></objective>' \\
    ...        b'<reservation value="0.5"/></utility_space>'
    >>> from dealcheck import load_scenario
    >>> s = load_scenario(genius_scenario(("d.xml", dom), [("me.xml", prof)]))
    >>> s.terms[0].name, s.parties[0].id, s.parties[0].accepts_at, s.check({"colour": "red"}).parties[0].broken
    ('colour', 'me', Fraction(1, 2), ('accepts_at',))
    """
    if not profiles:
        raise ScenarioError([Diagnostic("DC803", "no profile given", Span(domain[0], 1, 1), hint="give PROFILE.xml")])
    issues = _read_domain(*domain)
    read = [_read_profile(path, data, issues) for path, data in profiles]
    term_ids: set[str] = set()
    term_of = {i.name: _clean_id(i.name, term_ids) for i in issues}
    source_ids: set[str] = set()
    domain_source = _clean_id(Path(domain[0]).stem + "_xml", source_ids)
    party_ids: set[str] = set()
    lines = [
        "dealcheck: 1",
        f"title: {_q(Path(domain[0]).stem + ' (Genius domain)')}",
        "description: >-",
        f"  Imported by dealcheck import genius from {Path(domain[0]).name} and {len(read)} profile(s). Utilities are",
        "  read as Genius does: each evaluation divided by the largest evaluation of its issue in that profile,",
        "  weights exactly as written. Discount factors are left out (they are not part of an agreement's value).",
        "sources:",
        f"  {domain_source}: {{title: {_q('Genius domain ' + Path(domain[0]).name)}, file: {_q(Path(domain[0]).name)}}}",
    ]
    profile_sources = []
    for p in read:
        sid = _clean_id(Path(p.path).stem + "_xml", source_ids)
        profile_sources.append(sid)
        lines.append(f"  {sid}: {{title: {_q('Genius profile ' + Path(p.path).name)}, file: {_q(Path(p.path).name)}}}")
    lines.append("terms:")
    for i in issues:
        options = ", ".join(_q(v) for v in i.values)
        lines.append(f"  {term_of[i.name]}: {{options: [{options}], description: {_q('Genius issue ' + i.name)}}}")
    lines.append("parties:")
    for p, sid in zip(read, profile_sources, strict=True):
        pid = _clean_id(Path(p.path).stem, party_ids)
        lines += [f"  {pid}:", f"    name: {_q(Path(p.path).stem)}", "    utility:"]
        lines += [f"      source: {sid}", f"      quote: {_q(p.weight_quote)}", "      weights:"]
        for i in issues:
            lines.append(f"        {term_of[i.name]}: {exact_text(p.weights[i.name])}")
        lines.append("      values:")
        for i in issues:
            evals = p.evaluations[i.name]
            best = max(evals.values(), default=Fraction(0))
            cells = ", ".join(
                f"{_q(v)}: {exact_text(evals.get(v, Fraction(0)) / best if best else Fraction(0))}" for v in i.values
            )
            lines.append(f"        {term_of[i.name]}: {{{cells}}}")
        if p.reservation:
            lines.append(
                f"    accepts_at: {{value: {exact_text(p.reservation)}, source: {sid}, quote: {_q(p.reservation_quote or '')}}}"
            )
    return "\n".join(lines) + "\n"


def read_file(path: str) -> tuple[str, bytes]:
    """``(path, bytes)``, with at most :data:`MAX_XML_BYTES` + 1 read; DC801 when unreadable."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_XML_BYTES + 1)
    except OSError as e:
        raise ScenarioError(
            [Diagnostic("DC801", f"cannot read the file: {e.strerror or e}", Span(path, 1, 1), hint="check the path")]
        ) from None
    return path, data


# --- export: a scenario as Genius XML, which NegMAS loads (``dealcheck export negmas``) ------------------------


def _number(x: Fraction) -> str:
    """A number NegMAS's ``float()`` reads: the exact decimal when there is one, else the nearest double."""
    text = exact_text(x)
    return text if "/" not in text else repr(float(x))


def export_genius(scenario: Scenario) -> dict[str, str]:
    """File name -> XML text: a Genius domain and one profile per party, for NegMAS's ``from_genius_folder``.

    Only what Genius can say is exported: every party's score must be its utility (no plain demands, no red line
    but ``accepts_at``), and every term is written as a discrete issue (booleans as ``false``/``true``, integers as
    their digits). Weights are divided by their sum (Genius's weights sum to 1), values written as they are
    (NegMAS does not normalise them), reservation values as ``<reservation>``. Anything else raises
    :class:`~dealcheck.errors.UsageError` naming what cannot be exported.

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms: {colour: [red, blue]}
    ... parties:
    ...   me: {utility: {weights: {colour: 1}, values: {colour: {blue: 0.5}}, assumption: toy}, accepts_at: 0.25}
    ... ''')
    >>> files = export_genius(s)
    >>> sorted(files), '<item index="2" value="blue" evaluation="0.5"/>' in files["me.xml"]
    (['Toy_domain.xml', 'me.xml'], True)
    """
    from xml.sax.saxutils import quoteattr

    from dealcheck.errors import UsageError

    problems = []
    for p in scenario.parties:
        if p.utility is None:
            problems.append(f"party {p.id} has no utility")
        if any(not d.graded for d in p.demands):
            problems.append(f"party {p.id} has demands that are not its utility's")
        if any(r.id != "accepts_at" for r in p.red_lines):
            problems.append(f"party {p.id} has red lines (Genius has only reservation values)")
    # Genius lists every value of an issue.
    problems += [f"term {t.name} holds {t.size:,} values" for t in scenario.terms if t.size > MAX_LISTED_VALUES]
    if problems:
        raise UsageError(
            "this scenario cannot be written as a Genius domain: " + "; ".join(problems),
            "export negmas writes scenarios whose parties are linear additive utilities (as `import genius` makes)",
        )

    def labels(term: Any) -> list[str]:
        return [
            str(term.decode(c)).lower() if isinstance(term.decode(c), bool) else str(term.decode(c))
            for c in term.domain.codes
        ]

    name = re.sub(r"[^0-9A-Za-z_-]+", "_", scenario.title.removesuffix(" (Genius domain)")).strip("_") or "scenario"
    name = name.removesuffix("_domain")
    issues = []
    for k, t in enumerate(scenario.terms, 1):
        items = "".join(f'\n        <item index="{j}" value={quoteattr(v)}/>' for j, v in enumerate(labels(t), 1))
        issues.append(
            f'    <issue index="{k}" etype="discrete" type="discrete" vtype="discrete" name={quoteattr(t.name)}>{items}\n    </issue>'
        )
    files = {
        f"{name}_domain.xml": '<negotiation_template>\n<utility_space number_of_issues="'
        + str(len(scenario.terms))
        + '">\n<objective index="0" etype="objective" type="objective" name="root" description="">\n'
        + "\n".join(issues)
        + "\n</objective>\n</utility_space>\n</negotiation_template>\n"
    }
    for p in scenario.parties:
        assert p.utility is not None
        by_term = {i.term: i for i in p.utility.issues}
        total = sum((i.weight for i in p.utility.issues), Fraction(0))
        body = []
        for k, t in enumerate(scenario.terms, 1):
            issue = by_term.get(t.name)
            values = issue.values if issue is not None else (Fraction(0),) * len(t.domain.codes)
            items = "".join(
                f'\n        <item index="{j}" value={quoteattr(v)} evaluation="{_number(x)}"/>'
                for j, (v, x) in enumerate(zip(labels(t), values, strict=True), 1)
            )
            body.append(
                f'    <issue index="{k}" etype="discrete" type="discrete" vtype="discrete" name={quoteattr(t.name)}>{items}\n    </issue>'
            )
        for k, t in enumerate(scenario.terms, 1):
            w = by_term[t.name].weight / total if t.name in by_term and total else Fraction(0)
            body.append(f'    <weight index="{k}" value="{_number(w)}"/>')
        reservation = f'<reservation value="{_number(p.accepts_at)}"/>\n' if p.accepts_at else ""
        files[f"{p.id}.xml"] = (
            '<utility_space>\n<objective index="0" etype="objective" type="objective" name="root" description="">\n'
            + "\n".join(body)
            + "\n</objective>\n"
            + reservation
            + "</utility_space>\n"
        )
    return files
