"""Exact deal counting without listing: per-rule truth tables contracted along an elimination order.

In: the terms' domains (lists of codes), checked conditions (:mod:`dealcheck.rules.ir`) that must all hold, and
optionally some fixed values. Out: the exact number of assignments that satisfy every condition, as a Python int
(no float, no int64: counts of 10**30 deals stay exact), and, on request, that number split by each term's value.

Listing cannot count 10**12 deals; a model counter can, because a count factorises. The method:

1. Each condition becomes a *factor*: the table of the value tuples of the terms it reads that satisfy it. A
   conjunction at the top is split first, so ``a and b`` gives two small tables rather than one big one.
2. A condition that reads too many terms to tabulate (more than :data:`TABLE_LIMIT` rows) is cut into pieces by
   naming sub-expressions with auxiliary variables, Tseitin-style: ``aux == sub-expression`` is a functional
   table, so every assignment of the terms extends to exactly one assignment of the auxiliaries and the count is
   unchanged. n-ary ``and``/``or``/``count``/``min``/``max`` are folded pairwise so no piece is wide.
3. Variables are summed out one at a time (bucket elimination): multiply the factors that mention the variable,
   sum the variable away, put the result back. The next variable is the one whose product would be smallest
   (greedy min-weight order); independent parts never meet, so they multiply. Terms no condition reads contribute
   their domain size.

:func:`count_per_value` splits the count by each term's value, which is what "options that occur in some deal" and
"terms forced in every deal" need, for every term at the cost of about two eliminations rather than one per term
and value: the elimination keeps each bucket's product (the bucket tree), then a downward pass sends each bucket
the count of everything outside it, so a bucket's product times that count gives, summed, the count per value of
its variable (:func:`_eliminate_marginals`). Other connected parts' counts multiply in.

Rejected: counting with CP-SAT or python-constraint by enumeration (linear in the count, hopeless at 10**12);
a dense numpy tensor contraction (fast, but int64 overflows at these sizes and object arrays lose the speed, and
sparse dict tables exploit that most rows of a rule's table are false).
"""

from __future__ import annotations

import heapq
import itertools
import math
import operator
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Generic, TypeVar, assert_never

from dealcheck import interrupt
from dealcheck.rules import ir
from dealcheck.rules.evaluator import children as sub_expressions
from dealcheck.rules.syntax import Connective

__all__ = ["TABLE_LIMIT", "Guard", "Stopped", "count_per_value", "count_solutions"]

#: The most rows one condition's table may have before the condition is cut into pieces with auxiliary variables.
TABLE_LIMIT = 1 << 15

_T = TypeVar("_T")

#: Rows handled between two looks at the clock.
_CLOCK_EVERY = 1 << 14


class Stopped(Exception):
    """A budget stopped the count before it finished; ``reason`` is ``"time limit"`` or ``"memory limit"``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Guard:
    """The budgets a count runs under: a wall-clock deadline (``time.monotonic()`` value) and the most rows one
    table may hold. Checked inside every loop that builds or joins tables, so a count stops (:class:`Stopped`)
    instead of running past a time limit or exhausting memory.

    >>> Guard(max_rows=10).rows(11)
    Traceback (most recent call last):
    ...
    dealcheck.solver.counting.Stopped: memory limit
    """

    __slots__ = ("_ticks", "deadline", "max_rows")

    def __init__(self, deadline: float | None = None, max_rows: int | None = None) -> None:
        self.deadline = deadline
        self.max_rows = max_rows
        self._ticks = 0

    def rows(self, n: int) -> None:
        """A table of ``n`` rows is about to exist."""
        if self.max_rows is not None and n > self.max_rows:
            raise Stopped("memory limit")

    def tick(self, n: int = 1) -> None:
        """``n`` rows of work were done."""
        self._ticks += n
        if self._ticks >= _CLOCK_EVERY:
            self._ticks = 0
            self.check_time()

    def check_time(self) -> None:
        # Ctrl-C (dealcheck.interrupt) stops a count as its deadline does: with the same reason, so every caller
        # that turns a stopped count into bounds does the same for both.
        if (self.deadline is not None and time.monotonic() >= self.deadline) or interrupt.interrupted():
            raise Stopped("time limit")

    def each(self, rows: Iterable[_T]) -> Iterator[_T]:
        """``rows``, with the clock read every :data:`_CLOCK_EVERY` of them: a table of a million rows (a wide
        range) takes seconds to build, so the deadline is read inside the loop, not after it."""
        for k, row in enumerate(rows, 1):
            if not k % _CLOCK_EVERY:
                self.check_time()
            yield row


_UNLIMITED = Guard()

Row = tuple[int, ...]
Table = dict[Row, int]
Factor = tuple[tuple[int, ...], Table]  # (variables, rows with their multiplicity); a missing row counts 0


def count_solutions(
    domains: Sequence[Sequence[int]],
    constraints: Sequence[ir.BoolExpr],
    fixed: Mapping[int, int] | None = None,
) -> int:
    """The exact number of assignments (one code per domain) under which every constraint holds.

    ``fixed`` maps term indices to the code they must take; a code outside the term's domain gives 0.

    >>> from dealcheck.rules.ir import Compare, CmpOp, Const, Var
    >>> count_solutions([range(3), range(3)], [Compare(CmpOp.LT, Var(0), Var(1))])
    3
    >>> count_solutions([range(2)] * 60, [Compare(CmpOp.EQ, Var(0), Const(1))])  # exact at any size
    576460752303423488
    >>> count_solutions([range(3), range(3)], [Compare(CmpOp.LT, Var(0), Var(1))], fixed={0: 1})
    1
    """
    model = _Model.build(domains, constraints, fixed)
    if model.empty:
        return 0
    total = model.free_product()
    for part in model.parts():
        total *= _eliminate([model.factors[k] for k in part.factors], model.sizes)
        if total == 0:
            return 0
    return total


def count_per_value(
    domains: Sequence[Sequence[int]],
    constraints: Sequence[ir.BoolExpr],
    fixed: Mapping[int, int] | None = None,
) -> list[dict[int, int]]:
    """For each term, for each code of its domain, how many solutions give the term that code.

    The counts of one term add up to :func:`count_solutions`. A code with a zero count occurs in no solution; a term
    with one non-zero code is forced. A fixed term reports its fixed code only.

    >>> from dealcheck.rules.ir import Compare, CmpOp, Var
    >>> count_per_value([range(3), range(3)], [Compare(CmpOp.LT, Var(0), Var(1))])
    [{0: 2, 1: 1, 2: 0}, {0: 0, 1: 1, 2: 2}]
    """
    model = _Model.build(domains, constraints, fixed)
    n = len(domains)
    if model.empty:
        return [dict.fromkeys(model.domains[t], 0) for t in range(n)]
    parts = model.parts()
    per_part = [_eliminate_marginals([model.factors[k] for k in p.factors], model.sizes) for p in parts]
    free = model.free_product()
    total = free * math.prod(count for count, _ in per_part)
    if total == 0:
        return [dict.fromkeys(model.domains[t], 0) for t in range(n)]
    out: list[dict[int, int]] = [{} for _ in range(n)]
    part_of = {v: i for i, p in enumerate(parts) for v in p.variables}
    for t in range(n):
        values = model.domains[t]
        i = part_of.get(t)
        if i is None:  # read by no condition: every value occurs equally often
            out[t] = dict.fromkeys(values, total // len(values))
            continue
        count, marginals = per_part[i]
        rest = total // count  # non-zero, since total is
        split = marginals[t]
        out[t] = {value: split.get(value, 0) * rest for value in values}
    return out


# --- building the factors -------------------------------------------------------------------------------------


class _Part:
    """A connected part of the constraint graph: its variables and the indices of its factors."""

    __slots__ = ("factors", "variables")

    def __init__(self) -> None:
        self.variables: list[int] = []
        self.factors: list[int] = []


class _Model:
    """Domains (terms first, then auxiliary variables) and the factors over them."""

    def __init__(self, domains: list[tuple[int, ...]], n_terms: int, guard: Guard = _UNLIMITED) -> None:
        self.guard = guard
        self.domains = domains
        self.n_terms = n_terms
        self.factors: list[Factor] = []
        self.empty = any(not d for d in domains)

    @property
    def sizes(self) -> dict[int, int]:
        return {v: len(d) for v, d in enumerate(self.domains)}

    @classmethod
    def build(
        cls,
        domains: Sequence[Sequence[int]],
        constraints: Sequence[ir.BoolExpr],
        fixed: Mapping[int, int] | None,
        guard: Guard = _UNLIMITED,
    ) -> _Model:
        doms = [tuple(d) for d in domains]
        for t, code in (fixed or {}).items():
            doms[t] = (code,) if code in doms[t] else ()
        model = cls(doms, len(doms), guard)
        if model.empty:
            return model
        stack = list(reversed(constraints))
        while stack:
            c = stack.pop()
            match c:
                case ir.Logic(op=Connective.AND, operands=xs):
                    stack += reversed(xs)
                case ir.Truth(value=True):
                    pass
                case ir.Truth(value=False):
                    model.empty = True
                    return model
                case _:
                    model.require(c)
                    if model.empty:
                        return model
        return model

    def _rows(self, scope: Sequence[int]) -> int:
        return math.prod(len(self.domains[v]) for v in scope)

    def _add(self, scope: tuple[int, ...], table: Table) -> None:
        if not table:
            self.empty = True
        self.factors.append((scope, table))

    def _new_var(self, values: set[int]) -> int:
        self.domains.append(tuple(sorted(values)))
        return len(self.domains) - 1

    def require(self, cond: ir.BoolExpr) -> None:
        """Add the factor of the rows of ``cond``'s terms under which it holds."""
        scope = tuple(sorted(ir.term_indices(cond)))
        if self._rows(scope) > TABLE_LIMIT:
            aux = self.define(cond)  # too wide: name its parts, then ask that the whole be true
            self._add((aux,), {(1,): 1} if 1 in self.domains[aux] else {})
            return
        # The predicate reads each row where it stands (term scope[k] at row[k]): no copy into a list of all terms.
        holds = _bool_fn(cond, {v: k for k, v in enumerate(scope)})
        self.guard.check_time()  # at most TABLE_LIMIT rows: milliseconds between two looks at the clock
        table: Table = {row: 1 for row in itertools.product(*(self.domains[v] for v in scope)) if holds(row)}
        self.guard.tick(self._rows(scope))
        self._add(scope, table)

    def define(self, expr: ir.Expr) -> int:
        """A variable that equals ``expr`` (a condition as 0/1) in every solution, with its factor(s) added."""
        match expr:
            case ir.Var(index=i):
                return i
            case ir.IsTrue(index=i):
                if set(self.domains[i]) <= {0, 1}:
                    return i
                return self._functional(lambda vs: int(vs[0] == 1), [i])
        scope = tuple(sorted(ir.term_indices(expr)))
        if self._rows(scope) <= TABLE_LIMIT:
            value = _value_fn(expr, {v: k for k, v in enumerate(scope)})
            self.guard.check_time()  # at most TABLE_LIMIT rows, as in require
            rows = [(row, value(row)) for row in itertools.product(*(self.domains[v] for v in scope))]
            self.guard.tick(len(rows))
            aux = self._new_var({y for _, y in rows})
            self._add((*scope, aux), {(*row, y): 1 for row, y in rows})
            return aux
        kids = [self.define(c) for c in sub_expressions(expr)]
        step = _fold_step(expr)
        if step is None:
            return self._functional(lambda vs: _apply(expr, vs), kids)
        acc = kids[0]
        for k in kids[1:]:  # pairwise, so no piece is wider than two inputs and one output
            acc = self._functional(lambda vs: step(vs[0], vs[1]), [acc, k])
        return acc

    def _functional(self, fn: Callable[[Sequence[int]], int], inputs: list[int]) -> int:
        """A new variable equal to ``fn`` of the values of ``inputs`` (which may repeat a variable)."""
        scope = tuple(sorted(set(inputs)))
        where = [scope.index(v) for v in inputs]
        self.guard.rows(self._rows(scope))
        self.guard.check_time()
        product = self.guard.each(itertools.product(*(self.domains[v] for v in scope)))
        rows = [(row, fn([row[j] for j in where])) for row in product]
        self.guard.tick(len(rows))
        aux = self._new_var({y for _, y in rows})
        self._add((*scope, aux), {(*row, y): 1 for row, y in rows})
        return aux

    def free_product(self) -> int:
        read = {v for scope, _ in self.factors for v in scope}
        return math.prod(len(self.domains[t]) for t in range(self.n_terms) if t not in read)

    def parts(self) -> list[_Part]:
        """Connected parts of the factor graph (union-find over factor scopes), in order of first variable."""
        parent: dict[int, int] = {}

        def find(v: int) -> int:
            while parent.setdefault(v, v) != v:
                parent[v] = parent[parent[v]]
                v = parent[v]
            return v

        for scope, _ in self.factors:
            roots = [find(v) for v in scope]
            for r in roots[1:]:
                parent[find(r)] = find(roots[0])
        by_root: dict[int, _Part] = {}
        for k, (scope, _) in enumerate(self.factors):
            if not scope:
                continue  # constant factors only arise as empty tables, which empty the model before this
            by_root.setdefault(find(scope[0]), _Part()).factors.append(k)
        for v in sorted(parent):
            by_root[find(v)].variables.append(v)
        return sorted(by_root.values(), key=lambda p: p.variables[0])


# --- elimination --------------------------------------------------------------------------------------------


def _getter(positions: Sequence[int]) -> Callable[[Row], Row]:
    """A fast ``row -> tuple(row[i] for i in positions)``."""
    if not positions:
        return lambda row: ()
    if len(positions) == 1:
        i = positions[0]
        return lambda row: (row[i],)
    getter: Callable[[Row], Row] = operator.itemgetter(*positions)
    return getter


def _join(a: Factor, b: Factor, guard: Guard = _UNLIMITED) -> Factor:
    """The product of two factors (a hash join on their shared variables); ``guard`` stops a table too large."""
    (sa, ta), (sb, tb) = a, b
    in_a = set(sa)
    if len(ta) <= _CLOCK_EVERY or len(tb) <= _CLOCK_EVERY:
        # One scope inside the other (most joins of an elimination: a rule table with a message over its terms):
        # the larger table's rows each look one row of the other up, no index built. The output has at most the
        # larger table's rows; it is walked without a look at the clock only when that is quick.
        if all(v in in_a for v in sb) and len(ta) <= _CLOCK_EVERY:
            return (sa, _lookup_join(ta, _getter([sa.index(v) for v in sb]), tb))
        in_b = set(sb)
        if all(v in in_b for v in sa) and len(tb) <= _CLOCK_EVERY:
            return (sb, _lookup_join(tb, _getter([sb.index(v) for v in sa]), ta))
    shared = [v for v in sb if v in in_a]
    key_a = _getter([sa.index(v) for v in shared])
    key_b = _getter([sb.index(v) for v in shared])
    extra = [j for j, v in enumerate(sb) if v not in in_a]
    rest_b = _getter(extra)
    index: dict[Row, list[tuple[Row, int]]] = defaultdict(list)
    for row, c in tb.items():
        index[key_b(row)].append((rest_b(row), c))
    scope = sa + tuple(sb[j] for j in extra)
    if len(ta) * max(map(len, index.values()), default=0) <= _CLOCK_EVERY:
        # At most _CLOCK_EVERY rows out (milliseconds): one comprehension, no count kept for the guard per row.
        get = index.get
        small = {row + rest: c * d for row, c in ta.items() for rest, d in get(key_a(row), ())}
        guard.rows(len(small))
        guard.tick(len(ta))
        return (scope, small)
    out: Table = {}
    done = 0
    for row, c in ta.items():
        for rest, d in index.get(key_a(row), ()):
            out[row + rest] = c * d
        done += 1
        if done & 1023 == 0:
            guard.rows(len(out))
            guard.tick(1024)
    guard.rows(len(out))
    return (scope, out)


def _lookup_join(big: Table, key: Callable[[Row], Row], small: Table) -> Table:
    """``big`` times ``small``, whose variables are all ``big``'s (``key`` reads them from a row of ``big`` in
    ``small``'s order); rows of ``big`` with no partner in ``small`` drop out."""
    get = small.get
    return {row: c * d for row, c in big.items() if (d := get(key(row)))}


def _sum_out(f: Factor, var: int, guard: Guard = _UNLIMITED) -> Factor:
    scope, table = f
    guard.tick(len(table))
    k = scope.index(var)
    keep = _getter([i for i in range(len(scope)) if i != k])
    out: dict[Row, int] = defaultdict(int)
    for row, c in table.items():
        out[keep(row)] += c
    return (scope[:k] + scope[k + 1 :], dict(out))


def _restrict(f: Factor, var: int, value: int) -> Factor:
    scope, table = f
    if var not in scope:
        return f
    k = scope.index(var)
    return (scope, {row: c for row, c in table.items() if row[k] == value})


def _eliminate(
    factors: list[Factor], sizes: Mapping[int, int], guard: Guard = _UNLIMITED, plan: Sequence[int] = ()
) -> int:
    """Sum every variable out of the product of ``factors``; the number that is left (``plan``: see :class:`_Order`)."""
    total = 1
    order: _Order[Factor] = _Order(sizes, plan)

    def put(f: Factor) -> None:
        nonlocal total
        if not f[0]:
            total *= f[1].get((), 0)
            return
        order.put(f)

    merged = _merge_same_scope(factors, guard)
    if merged is None:
        return 0
    for f in merged:
        put(f)
    if not total:
        return 0
    for var, bucket in order:
        product = _join_all([f for _, f in bucket], guard)
        if product is None:
            return 0
        put(_sum_out(product, var, guard))
        if not total:
            return 0
    return total


def _merge_same_scope(factors: list[Factor], guard: Guard) -> list[Factor] | None:
    """Factors over the same variables joined into one (rules over the same terms are one table: joined before
    anything is ordered); ``None`` when a factor has no row."""
    same_scope: dict[tuple[int, ...], Factor] = {}
    for f in factors:
        if not f[1]:
            return None
        g = same_scope.get(f[0])
        same_scope[f[0]] = f if g is None else _join(g, f, guard)
    return list(same_scope.values())


def _join_all(bucket: list[Factor], guard: Guard) -> Factor | None:
    """The product of a bucket's factors, smallest tables first (it keeps the intermediate joins small); ``None`` as
    soon as a join has no row."""
    bucket.sort(key=lambda f: len(f[1]))
    product = bucket[0]
    for f in bucket[1:]:
        product = _join(product, f, guard)
        if not product[1]:
            return None
    return product


_Item = TypeVar("_Item", bound=tuple[tuple[int, ...], object])


class _Order(Generic[_Item]):
    """The greedy min-weight elimination order over live items (factors, or a scope with an estimate of its rows),
    shared by the count, the per-value counts and the size estimate, so all three eliminate in the same order.

    Iterating yields each variable with the items that use it, taken out (with the ids :meth:`put` gave them); the
    caller puts the variable's message before asking for the next, and the weights of the variable's neighbours are
    updated then. A heap with lazy deletion: eliminating a variable changes the weights of its neighbours only.

    ``plan``: an order already found on the same scopes (:func:`largest_table` records it), followed as given
    before anything is weighed: the count need not weigh again what its size estimate just weighed. Variables it
    does not name (none, when it was recorded on the same scopes) are then ordered greedily.
    """

    def __init__(self, sizes: Mapping[int, int], plan: Sequence[int] = ()) -> None:
        self.sizes = sizes
        self.plan = plan
        self.live: dict[int, _Item] = {}
        self.uses: dict[int, set[int]] = defaultdict(set)
        self.next_id = 0

    def put(self, item: _Item) -> int:
        """Add an item over a non-empty scope; its id."""
        self.live[self.next_id] = item
        for v in item[0]:
            self.uses[v].add(self.next_id)
        self.next_id += 1
        return self.next_id - 1

    def _weight(self, v: int) -> int:
        """The size of the table eliminating ``v`` would make."""
        union = {u for k in self.uses[v] for u in self.live[k][0]}
        return math.prod(self.sizes[u] for u in union) // self.sizes[v]

    def _take(self, var: int) -> list[tuple[int, _Item]]:
        bucket = []
        for k in self.uses.pop(var):
            item = self.live.pop(k)
            bucket.append((k, item))
            for u in item[0]:
                if u != var:
                    self.uses[u].discard(k)
        return bucket

    def __iter__(self) -> Iterator[tuple[int, list[tuple[int, _Item]]]]:
        uses = self.uses
        for var in self.plan:
            if uses.get(var):
                yield var, self._take(var)
        for u in [u for u, ks in uses.items() if not ks]:
            del uses[u]
        weights = {v: self._weight(v) for v in uses}
        heap = [(w, v) for v, w in weights.items()]
        heapq.heapify(heap)
        while heap:
            w, var = heapq.heappop(heap)
            if weights.get(var) != w:
                continue
            del weights[var]
            bucket = self._take(var)
            yield var, bucket
            for u in {u for _, item in bucket for u in item[0] if u != var}:
                if uses[u]:
                    weights[u] = self._weight(u)
                    heapq.heappush(heap, (weights[u], u))
                else:
                    del uses[u]
                    weights.pop(u, None)


def _eliminate_marginals(
    factors: list[Factor], sizes: Mapping[int, int], guard: Guard = _UNLIMITED, plan: Sequence[int] = ()
) -> tuple[int, dict[int, dict[int, int]]]:
    """What :func:`_eliminate` counts, and for every variable the count split by its value (missing values: 0;
    ``plan``: see :class:`_Order`).

    Upward, the same greedy elimination, keeping each bucket's product and the buckets whose messages it used (its
    children). Downward, in reverse order, each bucket gets ``outside``: over its message's variables, the count of
    everything not below it. Its product times ``outside`` is its *belief*: summed onto its variable, the count per
    value; summed onto a child's message variables and divided by that message, the child's ``outside``. The
    division is exact: every belief row is a product that includes the message's value at that row, and a row is
    stored only when it is non-zero, so no message divided by is zero.

    >>> f = ((0, 1), {(0, 1): 1, (0, 2): 1, (1, 2): 1})  # x0 < x1 over 0..2
    >>> count, marginals = _eliminate_marginals([f], {0: 3, 1: 3})
    >>> count, marginals[0], marginals[1]
    (3, {0: 2, 1: 1}, {1: 1, 2: 2})
    """
    order: _Order[Factor] = _Order(sizes, plan)
    made_by: dict[int, int] = {}  # live factor id -> the bucket whose message it is (inputs are not listed)
    # per bucket: its variable, product, message, and children (buckets whose messages it joined)
    buckets: list[tuple[int, Factor, Factor, list[int]]] = []
    roots: list[int] = []
    total = 1

    def put(f: Factor, bucket: int | None) -> None:
        nonlocal total
        if not f[0]:
            total *= f[1].get((), 0)
            assert bucket is not None  # inputs have scopes: parts() drops constant factors
            roots.append(bucket)
            return
        k = order.put(f)
        if bucket is not None:
            made_by[k] = bucket

    merged = _merge_same_scope(factors, guard)
    if merged is None:
        return 0, {}
    for f in merged:
        put(f, None)
    for var, taken in order:
        children = [made_by.pop(k) for k, _ in taken if k in made_by]
        product = _join_all([f for _, f in taken], guard)
        if product is None:
            return 0, {}
        message = _sum_out(product, var, guard)
        buckets.append((var, product, message, children))
        put(message, len(buckets) - 1)
        if total == 0:
            return 0, {}

    outside: dict[int, Factor] = {}
    for b in roots:  # a root's message is its part's count; outside it, the other roots' counts
        outside[b] = ((), {(): total // buckets[b][2][1][()]})
    marginals: dict[int, dict[int, int]] = {}
    for b in range(len(buckets) - 1, -1, -1):  # a bucket comes after every bucket whose message it used
        var, (scope, table), _, children = buckets[b]
        # The belief (product times outside) is summed onto the variable and onto each child's message scope in
        # one pass over the product, row by row, never stored: the outside's variables are all the product's.
        out_scope, out_table = outside.pop(b)
        key = _getter([scope.index(v) for v in out_scope])
        get = out_table.get
        k = scope.index(var)
        split: dict[int, int] = defaultdict(int)
        sums: list[tuple[Callable[[Row], Row], dict[Row, int]]] = [
            (_getter([scope.index(v) for v in buckets[c][2][0]]), defaultdict(int)) for c in children
        ]
        rows = guard.each(table.items()) if len(table) > _CLOCK_EVERY else table.items()
        for row, c in rows:
            d = get(key(row))
            if d:
                n = c * d
                split[row[k]] += n
                for child_key, acc in sums:
                    acc[child_key(row)] += n
        guard.tick(len(table))
        marginals[var] = dict(split)
        for c, (_, acc) in zip(children, sums, strict=True):
            child_scope, sent = buckets[c][2]
            outside[c] = (child_scope, {row: n // sent[row] for row, n in acc.items()})
    return total, marginals


# --- evaluating a condition on full values ------------------------------------------------------------------


Env = Sequence[int]  # the codes of every term, or one table row (read through ``at``)

_CMP = ir.CMP_FUNCTIONS
_ARITH = ir.ARITH_FUNCTIONS


def _value_fn(expr: ir.Expr, at: Mapping[int, int] | None = None) -> Callable[[Env], int]:
    """``expr`` as a function of the codes (``at`` as in :func:`_int_fn`); a condition gives 0 or 1."""
    if isinstance(expr, ir.Const | ir.Var | ir.Arith | ir.Abs | ir.MinMax | ir.Count):
        return _int_fn(expr, at)
    holds = _bool_fn(expr, at)
    return lambda env: 1 if holds(env) else 0


def _int_fn(expr: ir.IntExpr, at: Mapping[int, int] | None = None) -> Callable[[Env], int]:
    """``expr`` as a function of a list of codes: term ``i`` at ``env[i]``, or at ``env[at[i]]`` when ``at`` is
    given (a table row, read without copying it into a list of every term's codes)."""
    match expr:
        case ir.Const(value=c):
            return lambda env: c
        case ir.Var(index=i):
            k = i if at is None else at[i]
            return lambda env: env[k]
        case ir.Arith(op=op, left=a, right=b):
            fa, fb, f = _int_fn(a, at), _int_fn(b, at), _ARITH[op]
            return lambda env: f(fa(env), fb(env))
        case ir.Abs(arg=a):
            fa = _int_fn(a, at)
            return lambda env: abs(fa(env))
        case ir.MinMax(is_max=is_max, args=args):
            fs, pick = [_int_fn(x, at) for x in args], max if is_max else min
            return lambda env: pick(f(env) for f in fs)
        case ir.Count(conditions=conds):
            gs = [_bool_fn(x, at) for x in conds]
            return lambda env: sum(1 for g in gs if g(env))
        case _:
            assert_never(expr)


def _bool_fn(expr: ir.BoolExpr, at: Mapping[int, int] | None = None) -> Callable[[Env], bool]:
    """``expr`` as a predicate on codes (``at`` as in :func:`_int_fn`). The common leaves (a term against a
    constant, two terms) read the codes directly: a rule table calls this once per row of its terms' product."""
    match expr:
        case ir.Truth(value=truth):
            return lambda env: truth
        case ir.IsTrue(index=i):
            k = i if at is None else at[i]
            return lambda env: env[k] == 1
        case ir.Compare(op=op, left=ir.Var(index=i), right=ir.Const(value=c)):
            k, f = i if at is None else at[i], _CMP[op]
            return lambda env: f(env[k], c)
        case ir.Compare(op=op, left=ir.Var(index=i), right=ir.Var(index=j)):
            k, m, f = i if at is None else at[i], j if at is None else at[j], _CMP[op]
            return lambda env: f(env[k], env[m])
        case ir.Compare(op=op, left=a, right=b):
            fa, fb, f = _int_fn(a, at), _int_fn(b, at), _CMP[op]
            return lambda env: f(fa(env), fb(env))
        case ir.InSet(arg=ir.Var(index=i), values=vs):
            k = i if at is None else at[i]
            return lambda env: env[k] in vs
        case ir.InSet(arg=a, values=vs):
            fa = _int_fn(a, at)
            return lambda env: fa(env) in vs
        case ir.Not(arg=ir.IsTrue(index=i)):
            k = i if at is None else at[i]
            return lambda env: env[k] != 1
        case ir.Not(arg=a):
            ga = _bool_fn(a, at)
            return lambda env: not ga(env)
        case ir.Logic(op=op, operands=xs):
            gs = [_bool_fn(x, at) for x in xs]
            if len(gs) == 2:  # the usual width: two direct calls instead of a generator
                g0, g1 = gs
                if op is Connective.AND:
                    return lambda env: g0(env) and g1(env)
                return lambda env: g0(env) or g1(env)
            if op is Connective.AND:
                return lambda env: all(g(env) for g in gs)
            return lambda env: any(g(env) for g in gs)
        case ir.Implies(premise=p, conclusion=c):
            gp, gc = _bool_fn(p, at), _bool_fn(c, at)
            return lambda env: not gp(env) or gc(env)
        case _:
            assert_never(expr)


# --- the same meaning one node at a time, for conditions cut into pieces ----------------------------------------


def _fold_step(expr: ir.Expr) -> Callable[[int, int], int] | None:
    """For an n-ary node, how two partial results combine (all of them start from the first child's value)."""
    match expr:
        case ir.MinMax(is_max=is_max):
            return max if is_max else min
        case ir.Count():
            return operator.add
        case ir.Logic(op=Connective.AND):
            return lambda a, b: a & b
        case ir.Logic(op=Connective.OR):
            return lambda a, b: a | b
        case _:
            return None


def _apply(expr: ir.Expr, vs: Sequence[int]) -> int:
    """The value of a unary or binary node from its children's values (conditions as 0/1)."""
    match expr:
        case ir.Arith(op=op):
            return int(_ARITH[op](vs[0], vs[1]))
        case ir.Abs():
            return abs(vs[0])
        case ir.Compare(op=op):
            return int(_CMP[op](vs[0], vs[1]))
        case ir.InSet(values=values):
            return int(vs[0] in values)
        case ir.Not():
            return 1 - vs[0]
        case ir.Implies():
            return int(not vs[0] or bool(vs[1]))
        case _:
            raise TypeError(f"no single-step meaning for {type(expr).__name__}")


# --- planning -----------------------------------------------------------------------------------------------


def largest_table(factors: Sequence[Factor], sizes: Mapping[int, int], record: list[int] | None = None) -> int:
    """An upper bound on the rows of the largest table :func:`_eliminate` would build on ``factors``.

    ``record``, when given, gets the variables in the order eliminated: the ``plan`` an elimination of the same
    factors can follow without weighing them again (:class:`_Order`).

    The same greedy order, run on scopes only: a join has at most the product of its inputs' rows and at most the
    product of its variables' domain sizes; a message at most its join's rows. Nothing is built, so the planner can
    ask before it spends anything.

    >>> largest_table([((0, 1), {(0, 1): 1, (1, 0): 1}), ((1, 2), {(0, 0): 1})], {0: 2, 1: 2, 2: 2})
    2
    """
    order: _Order[tuple[tuple[int, ...], int]] = _Order(sizes)
    largest = 0
    same: dict[tuple[int, ...], int] = {}
    for scope, table in factors:
        same[scope] = min(same.get(scope, len(table)), len(table))
    for scope, rows in same.items():
        largest = max(largest, rows)
        if scope:
            order.put((scope, rows))
    for var, taken in order:
        if record is not None:
            record.append(var)
        rows = math.prod(n for _, (_, n) in taken)
        union = sorted({u for _, (scope, _) in taken for u in scope})
        joined = min(rows, math.prod(sizes[u] for u in union))
        largest = max(largest, joined)
        rest = tuple(u for u in union if u != var)
        if rest:
            order.put((rest, min(joined, math.prod(sizes[u] for u in rest))))
    return largest


def restrict(factors: Sequence[Factor], assignment: Mapping[int, int]) -> list[Factor] | None:
    """``factors`` with the variables of ``assignment`` fixed and dropped from their scopes; ``None`` when a factor
    keeps no row (the assignment is in no solution). A factor left with no variable multiplies in as a constant
    ``((), {(): n})``."""
    out: list[Factor] = []
    for scope, table in factors:
        at = [(k, assignment[v]) for k, v in enumerate(scope) if v in assignment]
        if not at:
            out.append((scope, table))
            continue
        keep = [k for k, v in enumerate(scope) if v not in assignment]
        get = _getter(keep)
        rows: dict[Row, int] = defaultdict(int)
        for row, c in table.items():
            if all(row[k] == x for k, x in at):
                rows[get(row)] += c
        if not rows:
            return None
        out.append((tuple(scope[k] for k in keep), dict(rows)))
    return out
