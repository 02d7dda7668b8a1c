"""Rule text -> source tree (:mod:`dealcheck.rules.syntax`), or the problems that stop it being one.

The first stage of the rule language. Rule text is untrusted: it is read by a hand-written tokenizer and a
recursive-descent parser, never by ``eval``, ``ast`` or anything that could run it. Every node carries the
:class:`~dealcheck.errors.TextRange` of the characters it came from, so the loader can point a caret at it.

The parser knows nothing of terms: ``sanction == "eased"`` parses whether or not a term ``sanction`` exists; the
checker (:mod:`dealcheck.rules.checker`) decides that.

Limits are checked before they can hurt: a rule longer than :data:`MAX_RULE_LENGTH` characters (DC502), nesting
deeper than :data:`MAX_DEPTH` (DC503, counted explicitly, so 100 000 ``(`` give a problem, never a
``RecursionError``), an integer literal larger than :data:`MAX_INT` (DC504, judged by its digit count before any
conversion).
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterator

import attrs

from dealcheck.errors import Problem, TextRange
from dealcheck.rules import syntax
from dealcheck.rules.syntax import ArithOp, CmpOp, Connective, Func

__all__ = ["KEYWORDS", "MAX_DEPTH", "MAX_INT", "MAX_RULE_LENGTH", "parse_rule"]

#: The longest rule, in characters. Real rules are a line or two; a longer one is a mistake or an attack.
MAX_RULE_LENGTH = 10_000
#: The deepest nesting of parentheses, ``not``, unary minus, calls and lists, and the deepest source tree.
MAX_DEPTH = 100
#: The largest integer literal, in absolute value: what the checker and CP-SAT hold (``checker.MAX_VALUE``), so a
#: threshold can sit anywhere in the widest range a term may have.
MAX_INT = 2**62 - 1

# Beyond this many characters we report DC502 and stop: the parser is linear, but a megabyte of rule is not worth
# reading further. Up to it we still parse, so that 100 000 nested parentheses also get their DC503.
_HARD_LENGTH = 100 * MAX_RULE_LENGTH

#: Words a rule reads as operators or constants, so a term can never be named one of them.
KEYWORDS = frozenset({"and", "or", "not", "implies", "in", "true", "false"})
_FUNCS = {f.value: f for f in Func}
_CMP_OPS = {op.value: op for op in CmpOp}
_WHITESPACE = frozenset(" \t\r\n\f\v")
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_DIGITS = frozenset("0123456789")
_OPERAND = "a term, a number, a string, true, false, count/abs/min/max(...), 'not', '-' or '('"


class _Kind(enum.Enum):
    NAME = "name"
    KEYWORD = "keyword"
    INT = "integer"
    STR = "string"
    OP = "operator"
    ERROR = "error"  # a character the tokenizer already reported; the parser stops on it silently
    END = "end"


@attrs.frozen
class _Token:
    kind: _Kind
    text: str  # the keyword or operator it stands for; for NAME the name, for STR the decoded value
    start: int
    end: int
    value: int | None = None  # INT only

    @property
    def where(self) -> TextRange:
        return TextRange(self.start, self.end)

    def is_(self, *texts: str) -> bool:
        return self.kind in (_Kind.OP, _Kind.KEYWORD) and self.text in texts


# Spellings from other languages, read as what they surely mean so that parsing goes on and finds more problems;
# each is still a DC202 with a hint. Longest first: '=>' must win over '='.
_MISSPELT: tuple[tuple[str, _Kind, str, str], ...] = (
    ("&&", _Kind.KEYWORD, "and", "write `and`"),
    ("||", _Kind.KEYWORD, "or", "write `or`"),
    ("=>", _Kind.KEYWORD, "implies", "write `implies`: a implies b"),
    ("->", _Kind.KEYWORD, "implies", "write `implies`: a implies b"),
    ("=<", _Kind.OP, "<=", "write <="),
    ("<>", _Kind.OP, "!=", "write !="),
    ("&", _Kind.KEYWORD, "and", "write `and`"),
    ("|", _Kind.KEYWORD, "or", "write `or`"),
    ("!", _Kind.KEYWORD, "not", "write `not`"),
    ("=", _Kind.OP, "==", "use == to compare"),
)
_OPS = ("==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "(", ")", "[", "]", ",")

# Hints for characters that are not part of the language but that a user (or an attacker) is likely to try.
_CHAR_HINTS = {
    ".": "attribute access and decimal numbers are not part of the rule language",
    ":": "lambdas, slices and dictionaries are not part of the rule language",
    "/": "division is not supported; rules use +, - and * only",
    "%": "the remainder operator is not supported; rules use +, - and * only",
    "{": 'write a list with square brackets: x in ["a", "b"]',
    "}": 'write a list with square brackets: x in ["a", "b"]',
    "#": "rules have no comments; explain a rule in its description",
    ";": "a rule is one expression; join conditions with `and`",
    "\u201c": "use straight quotes \" or '",
    "\u201d": "use straight quotes \" or '",
    "\u2018": "use straight quotes \" or '",
    "\u2019": "use straight quotes \" or '",
}


def _tokens(text: str, problems: list[Problem]) -> Iterator[_Token]:
    """Tokens of ``text``, lazily, ending with END; lexical problems are appended to ``problems`` as found.

    Lazy, so that a parser that gives up early (too deep) never pays for the rest of a long text.
    """
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _WHITESPACE:
            i += 1
        elif c in _NAME_START:
            j = i + 1
            while j < n and text[j] in _NAME_CHARS:
                j += 1
            word = text[i:j]
            yield _Token(_Kind.KEYWORD if word in KEYWORDS else _Kind.NAME, word, i, j)
            i = j
        elif c in _DIGITS:
            j = i + 1
            while j < n and text[j] in _DIGITS:
                j += 1
            if j + 1 < n and text[j] == "." and text[j + 1] in _DIGITS:
                k = j + 1
                while k < n and text[k] in _DIGITS:
                    k += 1
                problems.append(
                    Problem(
                        "DC201",
                        f"decimal numbers like {_clip(text[i:k])} are not supported",
                        TextRange(i, k),
                        "rules use whole numbers; scale the term instead (for example tenths as an integer)",
                    )
                )
                yield _Token(_Kind.ERROR, text[i:k], i, k)
                i = k
                continue
            yield _int_token(text, i, j, problems)
            i = j
        elif c in "\"'":
            token = _string_token(text, i, problems)
            yield token
            if token.kind is _Kind.ERROR:
                return  # an unterminated string swallowed the rest of the text
            i = token.end
        else:
            for spelling, kind, meaning, hint in _MISSPELT:
                if text.startswith(spelling, i) and not any(text.startswith(op, i) for op in ("==", "!=", "<=", ">=")):
                    problems.append(Problem("DC202", f"unexpected '{spelling}'", TextRange(i, i + len(spelling)), hint))
                    yield _Token(kind, meaning, i, i + len(spelling))
                    i += len(spelling)
                    break
            else:
                for op in _OPS:
                    if text.startswith(op, i):
                        yield _Token(_Kind.OP, op, i, i + len(op))
                        i += len(op)
                        break
                else:
                    # A run of characters the language has no use for is one problem, not one per character.
                    j = i + 1
                    while j < n and _is_stray(text[j]):
                        j += 1
                    yield _stray(text, i, j, problems)
                    i = j
    end = len(text.rstrip())
    yield _Token(_Kind.END, "", end, end)


def _is_stray(c: str) -> bool:
    return not (
        c in _WHITESPACE
        or c in _NAME_CHARS
        or c in "\"'"
        or any(s.startswith(c) for s, *_ in _MISSPELT)
        or any(op.startswith(c) for op in _OPS)
    )


def _stray(text: str, i: int, j: int, problems: list[Problem]) -> _Token:
    chars = text[i:j]
    hint = _CHAR_HINTS.get(chars[0])
    if chars[0] == "." and i > 0 and text[i - 1] in _NAME_CHARS and j < len(text) and text[j] in _NAME_START:
        hint = (
            f"attribute access like {_clip(_word_before(text, i))}.{_clip(_word_after(text, j))} is not part "
            "of the rule language"
        )
    elif hint is None and not chars.isascii():
        hint = "names use only ASCII letters, digits and _"
    what = f"character {chars!r}" if len(chars) == 1 else f"characters {_clip(chars)!r}"
    problems.append(Problem("DC201", f"unexpected {what}", TextRange(i, j), hint))
    return _Token(_Kind.ERROR, chars, i, j)


def _word_before(text: str, i: int) -> str:
    j = i
    while j > 0 and text[j - 1] in _NAME_CHARS:
        j -= 1
    return text[j:i]


def _word_after(text: str, j: int) -> str:
    k = j
    while k < len(text) and text[k] in _NAME_CHARS:
        k += 1
    return text[j:k]


def _int_token(text: str, i: int, j: int, problems: list[Problem]) -> _Token:
    digits = text[i:j]
    significant = digits.lstrip("0") or "0"
    # Count digits before converting: int() of a huge literal is quadratic, and CPython refuses past 4300 digits.
    if len(significant) > len(str(MAX_INT)) or int(significant) > MAX_INT:
        shown = digits if len(digits) <= 20 else f"{digits[:10]}... ({len(digits)} digits)"
        problems.append(
            Problem(
                "DC504",
                f"the integer {shown} is too large",
                TextRange(i, j),
                "integers in rules are at most 2**62 - 1 in absolute value",
            )
        )
        return _Token(_Kind.INT, digits, i, j, 0)
    return _Token(_Kind.INT, digits, i, j, int(significant))


def _string_token(text: str, i: int, problems: list[Problem]) -> _Token:
    quote = text[i]
    out: list[str] = []
    j, n = i + 1, len(text)
    while j < n:
        c = text[j]
        if c == quote:
            return _Token(_Kind.STR, "".join(out), i, j + 1)
        if c == "\\":
            if j + 1 < n and text[j + 1] in "\"'\\":
                out.append(text[j + 1])
                j += 2
                continue
            if j + 1 < n:
                problems.append(
                    Problem(
                        "DC201",
                        f"unknown escape '{text[j : j + 2]}' in a string",
                        TextRange(j, j + 2),
                        "the only escapes are \\\", \\' and \\\\",
                    )
                )
                j += 2
                continue
        out.append(c)
        j += 1
    problems.append(Problem("DC203", "this string is never closed", TextRange(i, n), f"add a closing {quote}"))
    return _Token(_Kind.ERROR, text[i:], i, n)


def _clip(s: str, width: int = 30) -> str:
    return s if len(s) <= width else s[: width - 3] + "..."


def _describe(token: _Token) -> str:
    match token.kind:
        case _Kind.END:
            return "the end of the rule"
        case _Kind.NAME:
            return f"name '{_clip(token.text)}'"
        case _Kind.INT:
            return f"number {_clip(token.text)}"
        case _Kind.STR:
            return f"string {_clip(token.text)!r}"
        case _Kind.KEYWORD | _Kind.OP | _Kind.ERROR:
            return f"'{_clip(token.text)}'"
    raise AssertionError(token.kind)  # pragma: no cover


class _Abort(Exception):
    """Raised after a problem the parser cannot read past; every problem so far is already recorded."""


# Binding strength, loosest first. Comparisons do not associate; implies is right-associative; the rest left.
_IMPLIES, _OR, _AND, _NOT, _CMP, _ADD, _MUL, _NEG, _ATOM = range(1, 10)


# The grammar, loosest first (the checker, not the grammar, says which operands must be conditions or integers):
#
#   rule       := expr(IMPLIES) END
#   implies    := or ('implies' or)*               right-associative: a implies b implies c = a implies (b implies c)
#   or         := and ('or' and)*                  one n-ary Logic node
#   and        := not ('and' not)*                 one n-ary Logic node
#   not        := 'not' not | comparison
#   comparison := sum [ CMP sum | 'in' list | 'not' 'in' list ]      CMP is == != < <= > >=; a < b < c is an error
#   list       := '[' [ sum (',' sum)* [','] ] ']'
#   sum        := product (('+' | '-') product)*
#   product    := unary ('*' unary)*
#   unary      := '-' unary | atom
#   atom       := NAME | FUNC '(' [ expr (',' expr)* [','] ] ')' | STRING | INT | 'true' | 'false' | '(' expr ')'
#   FUNC       := count | abs | min | max          other names before '(' are DC206
#
# It is parsed by precedence climbing: one loop (``_expr``) for every binary level, so a parenthesis costs three
# Python frames, not nine, and chains of `not`, `-`, `and`, `+` or `implies` are loops, not recursion. Nesting
# (parentheses, lists, calls, `not`, `-`) is counted on the way down and stops at MAX_DEPTH, long before Python's
# recursion limit; the height of the finished tree (long `+` or `implies` chains) is checked afterwards, so that every
# later pass may recurse over a tree without a depth concern.


class _Parser:
    def __init__(self, text: str, problems: list[Problem]) -> None:
        self._text = text
        self._problems = problems
        self._tokens = _tokens(text, problems)
        self._ahead: list[_Token] = []
        self._depth = 0

    # --- token stream ---------------------------------------------------------------------------------------

    def _peek(self, k: int = 0) -> _Token:
        while len(self._ahead) <= k:
            if self._ahead and self._ahead[-1].kind is _Kind.END:
                return self._ahead[-1]
            self._ahead.append(next(self._tokens))
        return self._ahead[k]

    def _next(self) -> _Token:
        token = self._peek()
        if token.kind is not _Kind.END:
            self._ahead.pop(0)
        return token

    def drain(self) -> None:
        """Read the rest of the text, so that every lexical problem in it is reported too."""
        for _ in self._tokens:
            pass

    def _fail(self, code: str, message: str, where: TextRange, hint: str | None = None) -> _Abort:
        self._problems.append(Problem(code, message, where, hint))
        return _Abort()

    def _unexpected(self, token: _Token, expected: str, hint: str | None = None) -> _Abort:
        if token.kind is _Kind.ERROR:
            return _Abort()  # the tokenizer said why
        if token.is_("["):
            return self._fail(
                "DC201",
                "unexpected '['",
                token.where,
                "a list can only follow `in`, and subscripts like x[0] are not part of the rule language",
            )
        if hint is None and token.kind is _Kind.NAME and token.text.lower() in KEYWORDS:
            hint = f"keywords are lowercase: write `{token.text.lower()}`"
        if token.kind is _Kind.END:
            return self._fail("DC202", f"the rule ends too early; expected {expected}", token.where, hint)
        return self._fail("DC202", f"unexpected {_describe(token)}; expected {expected}", token.where, hint)

    def _enter(self, token: _Token) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise self._fail(
                "DC503", f"the rule nests more than {MAX_DEPTH} levels deep", token.where, "split it into simpler rules"
            )

    # --- grammar --------------------------------------------------------------------------------------------

    def rule(self) -> syntax.Node:
        if self._peek().kind is _Kind.END:
            raise self._fail(
                "DC207",
                "the rule is empty",
                TextRange(0, len(self._text)),
                'write a condition, for example ceasefire == "full"',
            )
        node = self._expr(_IMPLIES)
        token = self._peek()
        match token.kind:
            case _Kind.END:
                return node
            case _Kind.ERROR:
                raise _Abort()
            case _ if token.is_(")", "]"):
                raise self._fail(
                    "DC204",
                    f"unmatched '{token.text}'",
                    token.where,
                    f"remove it, or add the '{'(' if token.text == ')' else '['}' it closes",
                )
        hint = "join conditions with `and` or `or`"
        if token.kind is _Kind.NAME and token.text.lower() in KEYWORDS:
            hint = f"keywords are lowercase: write `{token.text.lower()}`"
        elif token.is_("not"):
            hint = "write `x not in [...]`, or join conditions with `and not`"
        end = len(self._text.rstrip())
        raise self._fail(
            "DC205",
            f"unexpected text after the end of the rule: {_clip(self._text[token.start : end])!r}",
            TextRange(token.start, max(token.end, end)),
            hint,
        )

    def _binary(self, token: _Token) -> int | None:
        """The binding strength of ``token`` as a binary operator, or None when it is not one."""
        if token.kind is _Kind.OP:
            if token.text in _CMP_OPS:
                return _CMP
            return {"+": _ADD, "-": _ADD, "*": _MUL}.get(token.text)
        if token.kind is _Kind.KEYWORD:
            if token.text == "not":
                return _CMP if self._peek(1).is_("in") else None
            return {"implies": _IMPLIES, "or": _OR, "and": _AND, "in": _CMP}.get(token.text)
        return None

    def _expr(self, min_prec: int) -> syntax.Node:
        left = self._prefix(min_prec)
        compared = False
        while True:
            token = self._peek()
            prec = self._binary(token)
            if prec is None or prec < min_prec:
                if token.is_("["):
                    raise self._fail(
                        "DC201", "unexpected '['", token.where, "subscripts like x[0] are not part of the rule language"
                    )
                if token.is_("("):
                    raise self._fail(
                        "DC202", "unexpected '('", token.where, "only count, abs, min and max can be called, by name"
                    )
                return left
            if prec == _IMPLIES:
                operands = [left]
                while self._peek().is_("implies"):
                    self._next()
                    operands.append(self._expr(_OR))
                left = operands[-1]
                for premise in reversed(operands[:-1]):
                    left = syntax.Implies(premise, left, _span(premise, left))
                compared = False
            elif prec in (_OR, _AND):
                word = token.text
                operands = [left]
                while self._peek().is_(word):
                    self._next()
                    operands.append(self._expr(prec + 1))
                left = syntax.Logic(Connective(word), tuple(operands), _span(operands[0], operands[-1]))
                compared = False
            elif prec == _CMP:
                if compared:
                    raise self._fail(
                        "DC202",
                        f"comparisons cannot be chained: unexpected '{token.text}'",
                        token.where,
                        "write `a < b and b < c`, or add parentheses",
                    )
                compared = True
                left = self._comparison(left)
            else:
                self._next()
                right = self._expr(prec + 1)
                op = {"+": ArithOp.ADD, "-": ArithOp.SUB, "*": ArithOp.MUL}[token.text]
                left = syntax.BinArith(op, left, right, _span(left, right))

    def _comparison(self, left: syntax.Node) -> syntax.Node:
        token = self._next()
        if token.text in _CMP_OPS:
            right = self._expr(_ADD)
            return syntax.Compare(_CMP_OPS[token.text], left, right, _span(left, right))
        negated = token.is_("not")
        if negated:
            self._next()  # the 'in'
        opener = self._peek()
        if not opener.is_("["):
            raise self._unexpected(opener, "'[' after 'in'", 'write the values as a list: x in ["a", "b"]')
        self._next()
        self._enter(opener)
        items: list[syntax.Node] = []
        while not self._peek().is_("]"):
            items.append(self._expr(_ADD))
            if not self._peek().is_(","):
                break
            self._next()
        closer = self._close(opener, "]", "',' or ']'")
        self._depth -= 1
        return syntax.InList(left, tuple(items), negated, TextRange(left.where.start, closer.end))

    def _prefix(self, min_prec: int) -> syntax.Node:
        token = self._peek()
        if token.is_("not"):
            if min_prec > _NOT:
                raise self._unexpected(token, _OPERAND, "put the negated condition in parentheses: (not ...)")
            nots: list[_Token] = []
            while self._peek().is_("not"):
                nots.append(self._next())
                self._enter(nots[-1])
            node = self._expr(_CMP)
            for t in reversed(nots):
                node = syntax.Not(node, TextRange(t.start, node.where.end))
            self._depth -= len(nots)
            return node
        if token.is_("-"):
            minuses: list[_Token] = []
            while self._peek().is_("-"):
                minuses.append(self._next())
                self._enter(minuses[-1])
            node = self._atom()
            for t in reversed(minuses):
                node = syntax.Neg(node, TextRange(t.start, node.where.end))
            self._depth -= len(minuses)
            return node
        return self._atom()

    def _atom(self) -> syntax.Node:
        token = self._peek()
        match token.kind:
            case _Kind.INT:
                self._next()
                return syntax.IntLit(token.value or 0, token.where)
            case _Kind.STR:
                self._next()
                return syntax.StrLit(token.text, token.where)
            case _Kind.NAME:
                self._next()
                if self._peek().is_("("):
                    return self._call(token)
                return syntax.Name(token.text, token.where)
            case _Kind.KEYWORD if token.text in ("true", "false"):
                self._next()
                return syntax.BoolLit(token.text == "true", token.where)
            case _Kind.OP if token.text == "(":
                self._next()
                self._enter(token)
                if self._peek().is_(")"):
                    raise self._fail(
                        "DC202",
                        "empty parentheses",
                        TextRange(token.start, self._peek().end),
                        "put a condition or a number inside them",
                    )
                inner = self._expr(_IMPLIES)
                closer = self._close(token, ")", "')' or an operator")
                self._depth -= 1
                return attrs.evolve(inner, where=TextRange(token.start, closer.end))
        raise self._unexpected(token, _OPERAND)

    def _call(self, name: _Token) -> syntax.Node:
        opener = self._next()
        func = _FUNCS.get(name.text)
        if func is None:
            # Not fatal: read the arguments too, so problems inside them (or after) are reported as well.
            close = difflib.get_close_matches(name.text, list(_FUNCS), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "the functions are count, abs, min and max"
            self._problems.append(Problem("DC206", f"unknown function '{_clip(name.text)}'", name.where, hint))
        self._enter(opener)
        args: list[syntax.Node] = []
        while not self._peek().is_(")"):
            args.append(self._expr(_IMPLIES))
            if not self._peek().is_(","):
                break
            self._next()
        closer = self._close(opener, ")", "',' or ')'")
        self._depth -= 1
        where = TextRange(name.start, closer.end)
        if func is None:
            return syntax.Name(name.text, where)  # a stand-in: the problem above means the tree is never used
        return syntax.Call(func, tuple(args), where)

    def _close(self, opener: _Token, closer: str, expected: str) -> _Token:
        token = self._peek()
        if token.is_(closer):
            return self._next()
        if token.kind is _Kind.END:
            raise self._fail("DC204", f"this '{opener.text}' is never closed", opener.where, f"add a '{closer}'")
        if token.is_(")", "]"):
            raise self._fail(
                "DC204",
                f"'{token.text}' does not match the '{opener.text}' it closes",
                token.where,
                f"write '{closer}'",
            )
        raise self._unexpected(token, expected)


def _span(first: syntax.Node, last: syntax.Node) -> TextRange:
    return TextRange(first.where.start, last.where.end)


def _too_deep(root: syntax.Node) -> syntax.Node | None:
    """The first node deeper than MAX_DEPTH below ``root``, found without recursion; None when there is none."""
    stack: list[tuple[syntax.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        match node:
            case syntax.Name() | syntax.StrLit() | syntax.IntLit() | syntax.BoolLit():
                children: tuple[syntax.Node, ...] = ()
            case syntax.Compare(left=a, right=b) | syntax.BinArith(left=a, right=b):
                children = (a, b)
            case syntax.Implies(premise=a, conclusion=b):
                children = (a, b)
            case syntax.InList(arg=a, items=items):
                children = (a, *items)
            case syntax.Not(arg=a) | syntax.Neg(arg=a):
                children = (a,)
            case syntax.Logic(operands=xs) | syntax.Call(args=xs):
                children = xs
            case _:
                raise AssertionError(node)  # pragma: no cover
        stack.extend((child, depth + 1) for child in children)
    return None


def parse_rule(text: str) -> tuple[syntax.Node | None, list[Problem]]:
    """The source tree of ``text`` and no problems, or None and every problem found (sorted by position).

    Never raises on any input: every way a text can fail to be a rule is a :class:`~dealcheck.errors.Problem`.

    >>> tree, problems = parse_rule('ceasefire == "full" and not minerals_deal')
    >>> tree
    Logic(op=<Connective.AND: 'and'>, operands=(Compare(op=<CmpOp.EQ: '=='>, left=Name(name='ceasefire'), \
right=StrLit(value='full')), Not(arg=Name(name='minerals_deal'))))
    >>> tree.operands[0].left.where
    TextRange(start=0, end=9)
    >>> tree, problems = parse_rule('ceasefire = "full"')
    >>> tree is None, [(p.code, p.where.start, p.where.end, p.hint) for p in problems]
    (True, [('DC202', 10, 11, 'use == to compare')])
    """
    problems: list[Problem] = []
    if len(text) > MAX_RULE_LENGTH:
        problems.append(
            Problem(
                "DC502",
                f"the rule is {len(text):,} characters long; the limit is {MAX_RULE_LENGTH:,}",
                TextRange(0, len(text)),
                "split it into several rules",
            )
        )
        if len(text) > _HARD_LENGTH:
            return None, problems
    parser = _Parser(text, problems)
    tree: syntax.Node | None = None
    try:
        tree = parser.rule()
    except _Abort:
        if len(text) <= MAX_RULE_LENGTH and not any(p.code == "DC503" for p in problems):
            parser.drain()
    except RecursionError:  # pragma: no cover - the depth counter should make this unreachable
        problems.append(
            Problem("DC503", "the rule nests too deeply", TextRange(0, len(text)), "split it into simpler rules")
        )
    if tree is not None and _too_deep(tree) is not None:
        problems.append(
            Problem(
                "DC503",
                f"the rule nests more than {MAX_DEPTH} levels deep",
                tree.where,
                "long chains of `implies`, + or * nest too; split the rule into simpler rules",
            )
        )
    if problems:
        problems.sort(key=lambda p: (p.where.start, p.where.end))
        return None, problems
    return tree, problems
