"""The ``dealcheck`` command: the only module that prints.

Each command loads the scenario, asks the analysis for a result, renders it in the chosen format and exits with the
result's own exit code (see :mod:`dealcheck.results`). Diagnostics go to stderr, results to stdout (or ``-o``).
A bad file never shows a traceback: it shows ``file:line:col`` diagnostics and exits 2; anything unexpected is an
internal error, exit 3, with the traceback only when ``DEALCHECK_DEBUG`` is set.

``dealcheck FILE`` means ``dealcheck check FILE``.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import click

from dealcheck import interrupt
from dealcheck.cli_io import safe_for_terminal
from dealcheck.errors import ScenarioError, UsageError
from dealcheck.report import REPORT_FORMATS
from dealcheck.results import EXIT_INTERNAL, EXIT_INVALID, EXIT_LIMIT, EXIT_OK
from dealcheck.solver.base import BACKENDS

#: Exit status after Ctrl-C, as shells report a process killed by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130

#: The commands whose first Ctrl-C is a soft stop (:mod:`dealcheck.interrupt`): the analysis ends with the partial
#: answer it would give at a time limit, printed labelled "interrupted", exit 130. The others (``test``, which
#: reports the files that finished; ``check --packages``, a batch written whole or not at all; the commands that
#: only read files) stop at once.
SOFT_STOP = frozenset(
    {"check", "explore", "conflicts", "repair", "compare", "explain", "sweep", "report", "sensitivity"}
)

_STOPPED_BEFORE = "interrupted (Ctrl-C): the command stopped before its answer was complete"

__all__ = ["cli", "main"]


class _DefaultCommandGroup(click.Group):
    """A group whose first argument, when it is not a command, goes to ``check``: ``dealcheck FILE`` works."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            first = args[0]
            if not first.startswith("-") and not os.path.exists(first) and "." not in first and "/" not in first:
                # `dealcheck exlpore FILE`: a mistyped command, not a scenario file called "exlpore"
                import difflib

                close = difflib.get_close_matches(first, list(self.commands), n=1, cutoff=0.6)
                if close:
                    raise click.UsageError(f"no command {first!r}; did you mean {close[0]!r}?", ctx)
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dealcheck", prog_name="dealcheck", message="%(prog)s %(version)s")
def cli() -> None:
    """Check negotiation deal packages against each party's red lines and demands.

    \b
    dealcheck FILE                 check every package in FILE (same as: dealcheck check FILE)
    dealcheck validate FILE        report problems in FILE only
    Exit codes: 0 all deals, 1 some package fails, 2 invalid input, 3 internal error, 4 a limit stopped the answer,
    130 Ctrl-C.
    """


# --- shared options ----------------------------------------------------------------------------------------


_Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _format_option(choices: Sequence[str], default: str, help: str) -> _Decorator:
    """``--format`` (into ``fmt``: ``format`` is a builtin), with the choices this command renders."""
    return click.option(
        "--format", "fmt", type=click.Choice(list(choices)), default=default, show_default=True, help=help
    )


def _output_option(help: str = "Write the report here.") -> _Decorator:
    """``-o/--output FILE``; unset, the command writes to stdout."""
    return click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help=help)


def _color_option(help: str) -> _Decorator:
    """``--color auto|always|never``, read by :func:`_use_color`."""
    return click.option(
        "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True, help=help
    )


def _common_output(f: Callable[..., Any]) -> Callable[..., Any]:
    f = _color_option("Colour the text report (auto: when stdout is a terminal and NO_COLOR is unset).")(f)
    f = _output_option()(f)
    f = _format_option(REPORT_FORMATS, "text", "Output format; json is versioned and byte-for-byte deterministic.")(f)
    return f


def _backend_option(help: str) -> _Decorator:
    """``--backend`` (``--engine``, its former name, still accepted), with the help saying what it changes here."""
    return click.option(
        "--backend",
        "--engine",
        "backend",
        type=click.Choice(list(BACKENDS)),
        default=BACKENDS[0],
        show_default=True,
        help=help,
    )


def _time_limit_option(help: str) -> _Decorator:
    """``--time-limit SECONDS`` (positive; unset: no limit), with the help saying what it limits here."""
    return click.option(
        "--time-limit", type=click.FloatRange(min=0.0, min_open=True), default=None, metavar="SECONDS", help=help
    )


def _memory_limit_option(help: str) -> _Decorator:
    """``--memory-limit SIZE`` in bytes, read with a unit (512M, 4G); unset: the analysis's own default."""
    return click.option("--memory-limit", type=_Bytes(), default=None, metavar="SIZE", help=help)


#: ``--memory-limit``'s help on every command but explore (which says what its counting does past it).
_MEMORY_HELP = (
    "Memory the counting tables may take, e.g. 512M or 4G (default 2G; also passed to CP-SAT, which does not "
    "enforce it: bound a solve with --time-limit); past it, the answer says what is missing (exit 4)."
)


def _limit_option(help: str, *, minimum: int, default: int | None) -> _Decorator:
    """``--limit``: at most so many items. Without a default (no cap) it reads N; with one, the help shows it."""
    return click.option(
        "--limit",
        type=click.IntRange(min=minimum),
        default=default,
        show_default=default is not None,
        metavar="N" if default is None else None,
        help=help,
    )


def _top_option(help: str, *, minimum: int, default: int) -> _Decorator:
    """``--top K``: how many of the best to show."""
    return click.option("--top", type=click.IntRange(min=minimum), default=default, show_default=True, help=help)


def _package_option(help: str, *, multiple: bool = False) -> _Decorator:
    """``-p/--package NAME``: one package (into ``package``) or, repeatable, several (into ``packages``)."""
    return click.option(
        "-p", "--package", "packages" if multiple else "package", multiple=multiple, metavar="NAME", help=help
    )


def _settings_option(help: str) -> _Decorator:
    """``--set TERM=VALUE`` (repeatable, into ``settings``): read by :func:`parse_settings`."""
    return click.option("--set", "settings", multiple=True, metavar="TERM=VALUE", help=help)


def _parties_option(help: str) -> _Decorator:
    """``--parties A,B,...``: a coalition, checked by :func:`_check_values`."""
    return click.option("--parties", metavar="A,B,...", help=help)


def _variant_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--variant", metavar="NAME", help="Apply a what-if variant declared in the scenario.")(f)


def _paths_argument(f: Callable[..., Any]) -> Callable[..., Any]:
    """``FILES-OR-DIRS...``: files, folders searched for scenarios, or quoted globs."""
    return click.argument(
        "paths", nargs=-1, required=True, type=click.Path(allow_dash=True, path_type=str), metavar="FILES-OR-DIRS..."
    )(f)


def _scenario_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = _variant_option(f)
    f = click.argument("file", type=click.Path(allow_dash=True, path_type=str))(f)
    return f


def _use_color(choice: str, output: str | None) -> bool:
    if choice == "always":
        return True
    if choice == "never" or output is not None:
        return False
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def _handle_errors(f: Callable[..., int]) -> Callable[..., None]:
    """Turn the command's return value into its exit code, and every expected error into a diagnostic and exit 2."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        import contextlib

        ctx = click.get_current_context()
        # --time-limit and --memory-limit hold for every analysis the command runs, however deep
        # (dealcheck.solver.base.command_limits); each command also passes its time limit on, as the library does.
        memory = kwargs.pop("memory_limit", None)
        soft = ctx.command.name in SOFT_STOP and not kwargs.get("packages_file")
        try:
            _check_values(ctx, kwargs)
            with _limits(kwargs.get("time_limit"), memory), interrupt.soft() if soft else contextlib.nullcontext():
                code = _exact_if_beyond_cpsat(ctx, f, args, kwargs)
            if soft and interrupt.interrupted():
                interrupt.finish()
                if ctx.meta.get("dealcheck.interrupted_label"):
                    message = "the answer above is partial: what Ctrl-C stopped is marked in it"
                else:
                    message = "the answer above was complete before it came"
                click.echo(f"interrupted (Ctrl-C): {message}", err=True)
                code = EXIT_INTERRUPTED
        except ScenarioError as e:
            click.echo(safe_for_terminal(e.render()), err=True)
            code = EXIT_INVALID
        except UsageError as e:
            if interrupt.interrupted():  # e.g. "the time limit stopped the search for a conflict": Ctrl-C did
                interrupt.finish()
                click.echo(_STOPPED_BEFORE, err=True)
                code = EXIT_INTERRUPTED
            else:
                click.echo(safe_for_terminal(f"error: {e.message}"), err=True)
                if e.hint:
                    click.echo(safe_for_terminal(f"  = hint: {e.hint}"), err=True)
                code = EXIT_INVALID
        except KeyboardInterrupt:
            interrupt.finish()
            click.echo(_STOPPED_BEFORE, err=True)
            code = EXIT_INTERRUPTED
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            raise
        except OSError as e:
            # The environment refused a read or a write (a full disk, a file-size limit, permissions): exit 2 with
            # a sentence, not "internal error". Files are written atomically, so nothing is left half written.
            from dealcheck.cli_io import describe_os_error

            click.echo(safe_for_terminal(f"error: {describe_os_error(e)}"), err=True)
            code = EXIT_INVALID
        except Exception as e:  # the last line of defence: a bug must not look like a verdict
            if os.environ.get("DEALCHECK_DEBUG"):
                raise
            if interrupt.interrupted():  # whatever Ctrl-C broke on the way out, the answer is not claimed
                interrupt.finish()
                click.echo(_STOPPED_BEFORE, err=True)
                ctx.exit(EXIT_INTERRUPTED)
            click.echo(
                f"internal error: {type(e).__name__}: {safe_for_terminal(str(e))}\n"
                "  = hint: this is a bug in dealcheck; set DEALCHECK_DEBUG=1 to see the traceback and report it",
                err=True,
            )
            code = EXIT_INTERNAL
        ctx.exit(code)

    return wrapper


def _exact_if_beyond_cpsat(ctx: click.Context, f: Callable[..., int], args: Any, kwargs: dict[str, Any]) -> int:
    """Run the command; if CP-SAT cannot hold the scenario's numbers (16-digit Genius weights: coefficients past
    64 bits), run it again on python-constraint2, which is exact with any integer, when the scenario is small enough
    to list or a --time-limit bounds the listing (a stop is then an honest partial answer, exit 4). Said on stderr,
    and in JSON as ``"backend"``. Only when neither holds does the command exit 2 with CP-SAT's sentence."""
    from dealcheck.solver.base import FALLBACK_PACKAGES, BeyondCpsat, listable_beyond_cpsat

    ctx.meta["dealcheck.loaded"] = {}  # what load() read, so that the second run reads stdin no second time
    try:
        return f(*args, **kwargs)
    except BeyondCpsat as e:
        if kwargs.get("backend") != "cpsat" or not ctx.meta["dealcheck.loaded"]:
            raise
        loaded = ctx.meta["dealcheck.loaded"].values()
        if not all(listable_beyond_cpsat([t.domain.codes for t in s.terms]) for s in loaded):
            import math

            sizes = [math.prod(len(t.domain.codes) for t in s.terms) for s in loaded]
            raise BeyondCpsat(
                e.message,
                f"{max(sizes):,} packages are too many to list exactly without a --time-limit (the limit is "
                f"{FALLBACK_PACKAGES:,}); give one, or --backend constraint; or write the weights with fewer digits",
            ) from None
        click.echo(
            f"note: CP-SAT cannot hold this scenario's numbers ({e.reason}); answered by listing with "
            "python-constraint2 instead (--backend constraint: exact with integers of any size)",
            err=True,
        )
        ctx.meta["dealcheck.backend"] = "constraint"
        return f(*args, **{**kwargs, "backend": "constraint"})


def _limits(time_limit: float | None, memory: int | None) -> Any:
    """The block in which the command's limits hold (nothing to set when there are none: no solver import)."""
    if time_limit is None and memory is None:
        import contextlib

        return contextlib.nullcontext()
    from dealcheck.solver.base import command_limits

    return command_limits(time_limit, memory)


def _check_values(ctx: click.Context, kwargs: dict[str, Any]) -> None:
    """Usage errors click lets through, for every command and option at once: an empty name (``--variant ''`` would
    silently mean "no variant") and a number that is not finite (``--time-limit nan`` would make every answer
    UNKNOWN)."""
    import math

    for param in ctx.command.params:
        value = kwargs.get(param.name or "")
        shown = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
        values = value if isinstance(value, tuple) else (value,)
        if any(isinstance(v, str) and not v.strip() for v in values):
            raise UsageError(f"{shown} needs a name, not an empty string")
        if param.name == "parties" and isinstance(value, str) and not value.replace(",", "").strip():
            raise UsageError(f"{shown} needs party names, not {value!r}", "write --parties russia,ukraine")
        if any(isinstance(v, float) and not math.isfinite(v) for v in values):
            raise UsageError(f"{shown} must be a finite number, not {value}")


def load(file: str, variant: str | None = None) -> Any:
    """The scenario in ``file`` (``-`` for stdin), with ``variant`` applied."""
    from dealcheck.loader import load_scenario_bytes

    ctx = click.get_current_context(silent=True)
    loaded = ctx.meta.get("dealcheck.loaded") if ctx is not None else None
    if loaded is not None and (file, variant) in loaded:  # a command run again (another backend) reads no file twice
        return loaded[(file, variant)]
    if file == "-":
        from dealcheck.cli_io import read_stdin
        from dealcheck.loader import MAX_FILE_BYTES

        scenario = load_scenario_bytes(read_stdin(MAX_FILE_BYTES), "<stdin>")
    else:
        from dealcheck.loader import load_scenario_file

        scenario = load_scenario_file(file)
    scenario = scenario.variant(variant) if variant is not None else scenario
    if loaded is not None:
        loaded[(file, variant)] = scenario
    return scenario


class _Bytes(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click; click>=8.1 is supported
    """A size such as ``512M``, ``2G`` or a number of bytes."""

    name = "size"
    _UNITS: ClassVar[dict[str, int]] = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("B").removesuffix("I")
        unit = text[-1:] if text[-1:] in self._UNITS else ""
        number = text[: len(text) - len(unit)]
        try:
            size = int(float(number) * self._UNITS[unit])
        except ValueError:
            self.fail(f"{value!r} is not a size such as 512M, 2G or a number of bytes", param, ctx)
        if size < 1 << 20:
            self.fail(f"{value!r} is below the smallest memory limit, 1M", param, ctx)
        return size


def _counting_lines(report: Any) -> list[str]:
    """``--verbose``: how each independent part was counted (stderr, never in the report itself)."""
    names = [z.term for z in report.terms]
    out = []
    for k, p in enumerate(report.counting, 1):
        terms = ", ".join(names[t] for t in p.terms[:6]) + (f" and {len(p.terms) - 6} more" if len(p.terms) > 6 else "")
        n = f"{p.low}" if p.exact else f"between {p.low} and {p.high} ({p.stopped})"
        out.append(f"part {k}: {p.method}, {n} (terms {terms})")
    if getattr(report, "ranking", ""):
        out.append(f"best deals and frontier: {report.ranking}")
    return out


def emit(text: str, output: str | None) -> None:
    """Write a report to ``output`` (atomically, never over an input) or stdout (inert on a terminal: control
    characters visible, except dealcheck's own colours). Reports end in a newline already."""
    from dealcheck import cli_io

    ctx = click.get_current_context(silent=True)
    params = ctx.params if ctx is not None else {}
    used = ctx.meta.get("dealcheck.backend") if ctx is not None else None
    if used is not None and params.get("fmt") == "json":
        text = _with_backend(text, used)
    if ctx is not None and ctx.command.name in SOFT_STOP and interrupt.interrupted():
        text = interrupted_label(text, params.get("fmt") or "text")
        ctx.meta["dealcheck.interrupted_label"] = True
    if output is None:
        cli_io.write_stdout(text, color=_use_color(params.get("color") or "never", None))
    else:
        inputs = [params[k] for k in ("file", "sources_dir") if isinstance(params.get(k), str)]
        cli_io.write_output(text, output, inputs=[*inputs, *params.get("paths", ())])


def _with_backend(text: str, backend: str) -> str:
    """A JSON report with ``"backend"``: the backend that answered, when it is not the one asked for (CP-SAT could
    not hold the scenario's numbers). Reports that name their ``"engine"`` say it there too."""
    import json

    from dealcheck.report.jsonfmt import dumps

    data = json.loads(text)
    if not isinstance(data, dict):
        return text
    head = dict(list(data.items())[:1])  # after "schema"
    return dumps({**head, "backend": backend, **data})


#: What an interrupted answer says first: the partial parts say what stopped them as a time limit's do.
INTERRUPTED_NOTE = (
    "this answer is partial: Ctrl-C stopped the analysis; each part it stopped says so "
    "(unknown, incomplete, at least), the rest is exact"
)


def interrupted_label(text: str, fmt: str) -> str:
    """``text`` (a report in ``fmt``) labelled as interrupted: a first line in text and markdown, a first key
    ``"interrupted"`` in JSON, a first paragraph in HTML.

    >>> print(interrupted_label('{"a": 1}\\n', "json"), end="")
    {
      "interrupted": {
        "by": "Ctrl-C",
        "note": "this answer is partial: Ctrl-C stopped the analysis; each part it stopped says so (unknown, incomplete, at least), the rest is exact"
      },
      "a": 1
    }
    """
    if fmt == "json":
        import json

        from dealcheck.report.jsonfmt import dumps

        data = json.loads(text)
        if isinstance(data, dict):
            if "exit_code" in data:
                data["exit_code"] = EXIT_INTERRUPTED  # the process's, as for a time limit's 4
            return dumps({"interrupted": {"by": "Ctrl-C", "note": INTERRUPTED_NOTE}, **data})
        return text
    if fmt == "markdown":
        return f"> **Interrupted (Ctrl-C):** {INTERRUPTED_NOTE}.\n\n{text}"
    if fmt == "html":
        start = text.find("<body")
        end = text.find(">", start) + 1 if start >= 0 else 0
        note = f'<p class="interrupted"><strong>Interrupted (Ctrl-C):</strong> {INTERRUPTED_NOTE}.</p>\n'
        return text[:end] + ("\n" if end else "") + note + text[end:]
    return f"INTERRUPTED (Ctrl-C): {INTERRUPTED_NOTE}.\n\n{text}"


def parse_settings(scenario: Any, settings: Sequence[str]) -> dict[str, Any]:
    """``term=value`` strings as typed package values, checked against the terms' domains."""
    from dealcheck.rules.terms import BoolDomain, IntDomain

    values: dict[str, Any] = {}
    for item in settings:
        name, sep, raw = item.partition("=")
        name, raw = name.strip(), raw.strip()
        if not sep or not name:
            raise UsageError(f"--set expects term=value, got {item!r}")
        term = scenario.term(name)
        value: Any = raw
        if isinstance(term.domain, BoolDomain):
            if raw not in ("true", "false"):
                raise UsageError(f"{name} is a boolean: write {name}=true or {name}=false, not {raw!r}")
            value = raw == "true"
        elif isinstance(term.domain, IntDomain):
            from dealcheck.loader import parse_integer

            value = parse_integer(raw)  # the file's grammar: no 1_0, no non-ASCII digits
            if value is None:
                raise UsageError(f"{name} is an integer from {term.domain.lo} to {term.domain.hi}, not {raw!r}")
        if name in values:
            raise UsageError(f"--set gives {name} twice")
        values[name] = value
    scenario.encode(values)  # raises UsageError for values outside the domain, with the options as hint
    return values


def selected_packages(
    scenario: Any, names: Sequence[str], settings: Sequence[str]
) -> list[tuple[str | None, str | None, dict[str, Any]]]:
    """(id, title, values) of the packages a command works on: ``-p`` names, ``--set`` overrides or an ad-hoc one."""
    overrides = parse_settings(scenario, settings)
    if settings and len(names) > 1:
        raise UsageError("--set applies to one package: give at most one --package with it")
    if names:
        out = []
        for n in names:
            p = scenario.package(n)
            out.append((p.id, p.title, {**p.values, **overrides}))
        return out
    if settings:
        return [(None, None, overrides)]
    return [(p.id, p.title, dict(p.values)) for p in scenario.packages]


# --- commands ----------------------------------------------------------------------------------------------


@cli.command()
@_scenario_options
@_package_option("Check this package (repeatable; default: all).", multiple=True)
@_settings_option("Check an ad-hoc package (repeatable), or override terms of one --package.")
@_time_limit_option("Limit the whole check (every package together).")
@_memory_limit_option(_MEMORY_HELP)
@_backend_option("Solver backend for partial packages.")
@click.option(
    "--packages",
    "packages_file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=str),
    help="Check every full package in this .csv, .jsonl or .parquet file (streamed in chunks); -o then names the "
    "verdicts file (.csv, .jsonl or .parquet) and stdout gets the counts.",
)
@click.option("--skip-bad-rows", is_flag=True, help="With --packages: report bad rows and check the others.")
@click.option(
    "--id-column", default="id", show_default=True, metavar="NAME", help="With --packages: the column of package ids."
)
@click.option(
    "--chunk-rows",
    type=click.IntRange(min=1),
    default=100_000,
    show_default=True,
    metavar="N",
    help="With --packages: rows read and checked at a time (memory grows with it).",
)
@click.option("-q", "--quiet", is_flag=True, help="The summary table only (text and markdown).")
@click.option("--all-parties", is_flag=True, help="List every party in the details, not only those with a say.")
@click.option("-v", "--verbose", is_flag=True, help="Show each rule's code form beside its plain words.")
@click.option(
    "--example",
    "example",
    type=click.Choice(["first", "best"]),
    default="first",
    show_default=True,
    help="For a partial package, show the first deal completion in option order, or the best by total score.",
)
@_common_output
@_handle_errors
def check(
    file: str,
    variant: str | None,
    packages: tuple[str, ...],
    settings: tuple[str, ...],
    time_limit: float | None,
    backend: str,
    packages_file: str | None,
    skip_bad_rows: bool,
    id_column: str,
    chunk_rows: int,
    quiet: bool,
    all_parties: bool,
    verbose: bool,
    example: str,
    fmt: str,
    output: str | None,
    color: str,
) -> int:
    """Check packages: per party, which red lines each breaks and which demands it meets.

    A partial package (one that leaves terms open) is checked for whether some completion is a deal, and which
    terms every deal completion forces.
    """
    from dealcheck.check import check_selected
    from dealcheck.report import render

    scenario = load(file, variant)
    if packages_file is not None:
        return _check_batch(
            scenario, packages_file, packages, settings, skip_bad_rows, id_column, chunk_rows, fmt, output
        )
    selection = selected_packages(scenario, packages, settings)
    if not selection:
        raise UsageError("the scenario has no packages to check", "add packages: to the file, or give --set term=value")
    from dealcheck.solver.base import Deadline

    deadline = Deadline(time_limit)  # one limit for the whole command: every package, then the best examples
    report = check_selected(scenario, selection, time_limit=time_limit, backend=backend)
    if example == "best":
        report = _best_examples(scenario, report, backend, deadline)
    from dealcheck.report.text import TextOptions

    options = TextOptions(width=_text_width(output), quiet=quiet, all_parties=all_parties, verbose=verbose)
    emit(render(report, fmt, color=_use_color(color, output), options=options), output)
    return report.exit_code


def _text_width(output: str | None) -> int:
    """Columns to wrap text to: $COLUMNS, else the terminal's, else 100 (a file, a pipe: the same bytes every run)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) >= 40:
        return int(columns)
    if output is None and sys.stdout.isatty():
        import shutil

        return max(40, shutil.get_terminal_size((100, 24)).columns)
    return 100


def _best_examples(scenario: Any, report: Any, backend: str, deadline: Any) -> Any:
    """``report`` with each partial package's example replaced by its best completion (``--example best``)."""
    import attrs

    from dealcheck.analysis.examples import best_completion

    verdicts = []
    for v in report.verdicts:
        if not v.complete and v.example is not None:
            best = best_completion(scenario, v.values, backend=backend, time_limit=deadline.remaining())
            if best is not None:
                v = attrs.evolve(v, example=best, example_kind="best")
            elif deadline.expired():  # a deal exists, so only the limit left the best unfound: say so, exit 4
                v = attrs.evolve(v, example_kind="first_limit")
        verdicts.append(v)
    return attrs.evolve(report, verdicts=tuple(verdicts))


def _check_batch(
    scenario: Any,
    packages_file: str,
    packages: Sequence[str],
    settings: Sequence[str],
    skip_bad_rows: bool,
    id_column: str,
    chunk_rows: int,
    fmt: str,
    output: str | None,
) -> int:
    """``check --packages FILE``: verdicts to ``-o``, counts to stdout, skipped rows as warnings on stderr."""
    from dealcheck.batch import check_file
    from dealcheck.errors import Severity, render_diagnostic
    from dealcheck.progress import Progress
    from dealcheck.report import render

    if packages or settings:
        raise UsageError("--packages checks a file of packages: leave out -p and --set")
    with Progress("dealcheck check") as progress:
        report = check_file(
            scenario,
            packages_file,
            output,
            id_column=id_column,
            skip_bad_rows=skip_bad_rows,
            chunk_rows=chunk_rows,
            progress=progress,
        )
    for bad in report.skipped:
        click.echo(render_diagnostic(bad.diagnostic(packages_file, Severity.WARNING)), err=True)
    if report.skipped_rows > len(report.skipped):
        click.echo(f"... and {report.skipped_rows - len(report.skipped):,} more bad rows skipped", err=True)
    emit(render(report, fmt), None)
    return report.exit_code


@cli.command()
@_paths_argument
@_variant_option
@click.option(
    "--sources",
    "sources_dir",
    type=click.Path(file_okay=False, exists=True),
    help="Verify every quote against the source texts in this folder.",
)
@_format_option(
    ["text", "json", "sarif", "github"],
    "text",
    "sarif: SARIF 2.1.0 for code scanning; github: workflow annotation lines.",
)
@_output_option()
@click.option("--strict", is_flag=True, help="Treat warnings (lint, DC7xx) as errors: exit 2 when there are any.")
@_time_limit_option("Limit the lint of every file together (checks it stops are reported as not run; exit 4).")
@_memory_limit_option(_MEMORY_HELP)
@_handle_errors
def validate(
    paths: tuple[str, ...],
    variant: str | None,
    sources_dir: str | None,
    fmt: str,
    output: str | None,
    strict: bool,
    time_limit: float | None,
) -> int:
    """Load scenarios and report their problems (exit 0 when there are none, 2 when a file is invalid), and warn
    about what probably is not meant (lint: rules that can never hold or always hold, demands no deal meets, red
    lines implied by others, unread terms, duplicate rules, a total score one party dominates; DC7xx).

    Arguments are files, directories (every *.yaml and *.yml file in them, recursively) or globs. --strict makes
    warnings exit 2; a lint the --time-limit stopped exits 4.
    """
    from dealcheck.analysis.lint import lint
    from dealcheck.expectations.run import discover
    from dealcheck.report.jsonfmt import dumps
    from dealcheck.solver.base import Deadline

    deadline = Deadline(time_limit)  # one limit for every file together
    files = discover(paths, need_expect=False)
    if not files:
        raise UsageError("no scenario files in " + ", ".join(paths), "give .yaml files, or folders holding them")
    docs: list[dict[str, Any]] = []
    stopped_lint: list[str] = []
    warned = 0
    problems_all: list[Any] = []
    lines: list[str] = []
    for file in files:
        try:
            scenario = load(file, variant)
        except ScenarioError as e:
            problems_all += e.diagnostics
            if fmt == "text":
                click.echo(e.render(), err=True)
            docs.append({"file": file, "valid": False, "diagnostics": [d.to_json() for d in e.diagnostics]})
            continue
        problems = []
        if sources_dir is not None:
            from dealcheck.sources import verify_quotes

            problems = list(verify_quotes(scenario, sources_dir))
        linted = lint(scenario, time_limit=deadline.remaining())  # includes DC720, a confidence without its reason
        warnings = list(linted.warnings)  # shown; failing only with --strict
        if not linted.complete:
            stopped_lint.append(f"{scenario.path}: the time limit stopped the lint before " + ", ".join(linted.stopped))
        if linted.backend != "cpsat" and fmt == "text":
            click.echo(
                f"note: {scenario.path}: CP-SAT cannot hold this scenario's numbers; the lint asked "
                f"python-constraint2 instead (--backend {linted.backend}: exact with integers of any size)",
                err=True,
            )
        if linted.skipped and fmt == "text":
            click.echo(
                f"note: {scenario.path}: lint skipped {', '.join(linted.skipped)} (the solver cannot take this "
                "scenario's numbers)",
                err=True,
            )
        warned += bool(warnings)
        problems_all += problems + warnings
        if warnings and fmt == "text":
            from dealcheck.errors import render_diagnostic

            for w in warnings:
                click.echo(render_diagnostic(w, scenario.source_lines), err=True)
        rules = list(scenario.rules())
        doc = {
            "file": scenario.path,
            "valid": not problems,
            "terms": len(scenario.terms),
            "parties": len(scenario.parties),
            "rules": len(rules),
            "packages": len(scenario.packages),
        }
        if linted.backend != "cpsat":  # CP-SAT could not hold the numbers: the lint listed instead
            doc["backend"] = linted.backend
        if sources_dir is not None:
            doc["quotes"], doc["quotes_unchecked"] = _quote_counts(scenario)
        doc["diagnostics"] = [d.to_json() for d in [*problems, *warnings]]
        docs.append(doc)
        if problems:
            if fmt == "text":
                click.echo(ScenarioError(problems, scenario.source_lines).render(), err=True)
            continue
        counts = ", ".join(
            _plural(n, word)
            for n, word in [
                (len(scenario.terms), "term"),
                (len(scenario.parties), "party"),
                (len(rules), "rule"),
                (len(scenario.packages), "package"),
            ]
        )
        if sources_dir is not None:
            checked, unchecked = _quote_counts(scenario)
            counts += f", {_plural(checked, 'quote')} verified"
            if unchecked:
                counts += f", {unchecked} not checked (their sources have no file:)"
        lines.append(f"{scenario.path}: valid ({counts})")
    invalid = sum(1 for d in docs if not d["valid"])
    if fmt == "text":
        if len(files) > 1:
            lines.append(f"{_plural(len(files), 'file')}: {len(files) - invalid} valid, {invalid} invalid")
        if lines:
            emit("\n".join(lines) + "\n", output)
    elif fmt == "json":
        if len(files) == 1 and paths == (files[0],):
            emit(dumps({"schema": "dealcheck.validate/1", **docs[0]}), output)
        else:
            emit(dumps({"schema": "dealcheck.validate-files/1", "valid": not invalid, "files": docs}), output)
    else:
        from dealcheck.report import ci

        findings = ci.findings_from_diagnostics(problems_all)
        emit(ci.github(findings) if fmt == "github" else ci.sarif(findings, artifacts=files), output)
    for note in stopped_lint:
        click.echo("note: " + note, err=True)
    if invalid or (strict and warned):
        return EXIT_INVALID
    return EXIT_LIMIT if stopped_lint else EXIT_OK


def _plural(n: int, word: str) -> str:
    """``1 party``, ``2 parties``, ``0 rules``."""
    if n == 1:
        return f"1 {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


def _quote_counts(scenario: Any) -> tuple[int, int]:
    """(quotes whose source has a text file, so --sources verifies them; quotes whose source has none)."""
    with_file = {s.id for s in scenario.sources if s.file is not None}
    quoted = [r for r in scenario.rules() if r.quote is not None]
    checked = sum(1 for r in quoted if r.source in with_file)
    return checked, len(quoted) - checked


@cli.command(name="test")
@_paths_argument
@_format_option(
    ["text", "json", "junit", "sarif", "github"],
    "text",
    "junit: JUnit XML for CI; sarif: SARIF 2.1.0; github: workflow annotation lines.",
)
@_output_option()
@_color_option("Colour PASS/FAIL (auto: on a terminal, NO_COLOR unset).")
@_time_limit_option("Limit the whole run (every file); expectations it stops are reported as not checked (exit 4).")
@_memory_limit_option(_MEMORY_HELP)
@_handle_errors
def test_command(paths: tuple[str, ...], fmt: str, output: str | None, color: str, time_limit: float | None) -> int:
    """Run the expectations (expect:) of scenario files and report pass/fail per expectation.

    A directory is searched recursively for *.yaml and *.yml files that have a top-level expect: key; a glob
    (quoted, 'scenarios/*.yaml') is expanded.
    Exit 0 when every expectation holds, 1 when one fails, 2 when a file is invalid (the others still run), 4 when
    --time-limit or --memory-limit left an expectation not checked.
    """
    from dealcheck.expectations.run import TestRun, discover, run_files
    from dealcheck.report import render

    files = discover(paths)
    # File by file, so Ctrl-C still reports the files that finished (the one it interrupted is left out).
    done: list[Any] = []
    try:
        for file in files:
            done.append(run_files([file], load))
    except KeyboardInterrupt:
        interrupt.finish()
        run = TestRun(tuple(r for d in done for r in d.reports), tuple(b for d in done for b in d.invalid))
        emit(render(run, fmt, color=_use_color(color, output)), output)
        click.echo(
            f"interrupted (Ctrl-C): the report above covers the {len(done)} of {len(files)} files that finished",
            err=True,
        )
        return EXIT_INTERRUPTED
    run = TestRun(tuple(r for d in done for r in d.reports), tuple(b for d in done for b in d.invalid))
    for bad in run.invalid:
        click.echo(safe_for_terminal(bad.rendered), err=True)
    if run.passed + run.failed + run.not_checked == 0 and not run.invalid:
        raise UsageError("no expectations found in " + ", ".join(paths), "add an expect: list to the scenario file")
    emit(render(run, fmt, color=_use_color(color, output)), output)
    return run.exit_code


_BACKEND_HELP = (
    "Solver backend: cpsat counts exactly and optimises; constraint and brute list every deal (--limit may stop them)."
)


@cli.command()
@_scenario_options
@_parties_option("Only the red lines of these parties (a coalition); default: all.")
@_package_option("Take this package's values as given: conflicts among its completions.")
@_settings_option("Take this value as given (repeatable), or override a term of --package.")
@_limit_option("List at most N conflicts, and at most N concessions.", minimum=1, default=10)
@_time_limit_option("Limit the whole analysis.")
@_memory_limit_option(_MEMORY_HELP)
@_backend_option(_BACKEND_HELP)
@_common_output
@_handle_errors
def conflicts(
    file: str,
    variant: str | None,
    parties: str | None,
    package: str | None,
    settings: tuple[str, ...],
    limit: int,
    time_limit: float | None,
    backend: str,
    fmt: str,
    output: str | None,
    color: str,
) -> int:
    """Why there is no deal: which parties' red lines can hold together, the minimal conflicts among red lines
    (each verified), the red lines in every conflict, and the fewest concessions that open a deal.

    Exit 0 when answered (deal or not), 4 when --limit or --time-limit cut a list short ("first N", "at least").
    """
    import dealcheck.report.conflicts  # noqa: F401  (registers the conflicts renderers)
    from dealcheck.analysis.conflicts import find_conflicts

    scenario = load(file, variant)
    chosen = [p.strip() for p in parties.split(",") if p.strip()] if parties is not None else None
    given = _given_package(scenario, package, settings)
    return _answer(
        "conflicts",
        lambda progress: find_conflicts(
            scenario,
            parties=chosen,
            package=given,
            limit=limit,
            time_limit=time_limit,
            progress=progress,
            backend=backend,
        ),
        fmt,
        output,
        color,
    )


def _answer(command: str, analyse: Callable[[Any], Any], fmt: str, output: str | None, color: str) -> int:
    """What every analysis command ends with: run ``analyse(progress)`` under the command's progress line, print its
    report in ``fmt`` (to ``output``, or stdout), and exit with the report's code."""
    from dealcheck.progress import Progress
    from dealcheck.report import render

    with Progress(f"dealcheck {command}") as progress:
        report = analyse(progress)
    emit(render(report, fmt, color=_use_color(color, output)), output)
    return int(report.exit_code)


def _given_package(scenario: Any, package: str | None, settings: Sequence[str]) -> Any:
    """The package ``-p``/``--set`` name: the scenario's own (keeping its id), values with overrides, or ``None``."""
    if package is not None and not settings:
        return scenario.package(package)
    if package is not None or settings:
        return selected_packages(scenario, [package] if package else [], settings)[0][2]
    return None


@cli.command(name="explore")
@_scenario_options
@_package_option("Explore the completions of this (partial) package.")
@_settings_option("Take this value as given (repeatable), or override a term of --package.")
@_parties_option("A coalition: only these parties' red lines and scores count.")
@click.option(
    "--objective",
    type=click.Choice(["total", "maximin", "nash", "kalai"]),
    default="total",
    show_default=True,
    help="Rank deals by the sum of party scores, the smallest or the product of the gains over each party's "
    "reservation value (0 without one), or Kalai-Smorodinsky (the smallest fraction of each party's possible gain).",
)
@_top_option("Show the K best deals.", minimum=0, default=3)
@_limit_option(
    "List at most N deals (constraint and brute backends); the count is then 'at least N'.", minimum=0, default=None
)
@click.option(
    "--pareto-limit",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    metavar="N",
    help="Show at most N Pareto points.",
)
@_time_limit_option("Limit the whole analysis.")
@_memory_limit_option(
    "Memory the counting tables may take, e.g. 512M or 4G (default 2G); past it, another method or bounds."
)
@click.option("--verbose", is_flag=True, help="Say on stderr how each independent part was counted.")
@_backend_option(_BACKEND_HELP)
@click.option(
    "--why",
    is_flag=True,
    help="Also explain each forced term and option in no deal (dealcheck explain's report; text and markdown).",
)
@_common_output
@_handle_errors
def explore_command(
    file: str,
    variant: str | None,
    package: str | None,
    settings: tuple[str, ...],
    parties: str | None,
    objective: str,
    top: int,
    limit: int | None,
    pareto_limit: int,
    time_limit: float | None,
    verbose: bool,
    backend: str,
    why: bool,
    fmt: str,
    output: str | None,
    color: str,
) -> int:
    """The zone of possible agreement: the exact number of deals, the options that occur in some deal and the terms
    every deal forces, the best deals by --objective, and the Pareto frontier of party scores.

    Exit 0 when answered, 4 when --limit or --time-limit stopped part of the answer.
    """
    import dealcheck.report.analyses
    from dealcheck.analysis.explore import explore
    from dealcheck.progress import Progress
    from dealcheck.report import render

    scenario = load(file, variant)
    chosen = [p.strip() for p in parties.split(",") if p.strip()] if parties is not None else None
    if why and (fmt == "json" or chosen is not None):
        raise UsageError(
            "--why explains the whole scenario's findings in text or markdown",
            "for JSON (or another coalition) run dealcheck explain FILE --format json",
        )
    given = _given_package(scenario, package, settings)
    with Progress("dealcheck explore") as progress:
        report = explore(
            scenario,
            objective=objective,
            top=top,
            parties=chosen,
            package=given,
            backend=backend,
            limit=limit,
            pareto_limit=pareto_limit,
            time_limit=time_limit,
            progress=progress,
        )
        reasons = None
        if why:
            import dealcheck.report.explain  # noqa: F401  (registers the renderers)
            from dealcheck.analysis.explain import explain
            from dealcheck.model import Package

            packages = [] if given is None else [given if isinstance(given, Package) else Package("given", given)]
            reasons = explain(scenario, packages=packages, time_limit=time_limit, progress=progress)
    if verbose:
        for line in _counting_lines(report):
            click.echo(f"dealcheck explore: {line}", err=True)
    out = render(report, fmt, color=_use_color(color, output))
    if reasons is None:
        emit(out, output)
        return report.exit_code
    emit(out + "\n" + render(reasons, fmt, color=_use_color(color, output)), output)
    return max(report.exit_code, reasons.exit_code)


@cli.command(name="explain")
@_scenario_options
@_package_option("Explain the findings on this package (repeatable; default: every package).", multiple=True)
@_limit_option("List at most N minimal sets per finding.", minimum=1, default=10)
@_time_limit_option("Limit the whole analysis.")
@_memory_limit_option(_MEMORY_HELP)
@_backend_option(_BACKEND_HELP)
@_common_output
@_handle_errors
def explain_command(
    file: str,
    variant: str | None,
    packages: tuple[str, ...],
    limit: int,
    time_limit: float | None,
    backend: str,
    fmt: str,
    output: str | None,
    color: str,
) -> int:
    """Why each finding holds: for every forced term, option in no deal, package that cannot become a deal and red
    line it breaks, the minimal sets of red lines that entail it (each verified, each red line with its quote or
    assumption), and whether it hinges on one red line or rests on several independent readings.

    Exit 0 when answered, 4 when --limit cut a list short or --time-limit stopped the analysis (the findings it
    did not reach are not listed, and the report says so).
    """
    import dealcheck.report.explain  # noqa: F401  (registers the renderers)
    from dealcheck.analysis.explain import explain

    scenario = load(file, variant)
    chosen = [scenario.package(p) for p in packages] if packages else None
    return _answer(
        "explain",
        lambda progress: explain(
            scenario, packages=chosen, limit=limit, time_limit=time_limit, progress=progress, backend=backend
        ),
        fmt,
        output,
        color,
    )


@cli.command(name="sensitivity")
@_scenario_options
@click.option(
    "--objective",
    "objectives",
    multiple=True,
    type=click.Choice(["total", "maximin", "nash", "kalai"]),
    help="Only the best deal by this objective (repeatable; default: every objective).",
)
@_time_limit_option("Limit the whole analysis.")
@_memory_limit_option(_MEMORY_HELP)
@_backend_option("Solver backend for finding the sets of demands deals meet.")
@_common_output
@_handle_errors
def sensitivity_command(
    file: str,
    variant: str | None,
    objectives: tuple[str, ...],
    time_limit: float | None,
    backend: str,
    fmt: str,
    output: str | None,
    color: str,
) -> int:
    """How far each weight can move before the best deal changes: for the best deal under each objective, the
    smallest increase and decrease of each demand's (and utility issue's) weight that changes which deal is best,
    exactly (a fraction), with the deal it changes to; and the best deals under each utility profile's other
    normalise: choice.

    Exit 0 when answered, 4 when --time-limit stopped the analysis (the weights it did not reach are named).
    """
    import dealcheck.report.sensitivity  # noqa: F401  (registers the renderers)
    from dealcheck.analysis.sensitivity import sensitivity

    scenario = load(file, variant)
    return _answer(
        "sensitivity",
        lambda progress: sensitivity(
            scenario, objectives=objectives or None, backend=backend, time_limit=time_limit, progress=progress
        ),
        fmt,
        output,
        color,
    )


@cli.command(name="repair")
@_scenario_options
@_package_option("The proposal to repair.")
@_settings_option("An ad-hoc proposal (repeatable), or override a term of --package.")
@click.option("--keep", multiple=True, metavar="TERM", help="Hold this term at the proposal's value (repeatable).")
@_top_option("Show the K nearest suggestions.", minimum=1, default=3)
@_time_limit_option("Limit the whole search.")
@_memory_limit_option(_MEMORY_HELP)
@_backend_option("Solver backend for the search.")
@_common_output
@_handle_errors
def repair_command(
    file: str,
    variant: str | None,
    package: str | None,
    settings: tuple[str, ...],
    keep: tuple[str, ...],
    top: int,
    time_limit: float | None,
    backend: str,
    fmt: str,
    output: str | None,
    color: str,
) -> int:
    """The nearest deals to a proposal: the fewest changed terms (weighted by each term's change_cost) that make it
    acceptable to every party, each change as term: old -> new, and per party the demands gained and lost.

    Exit 0 when answered, 4 when --time-limit stopped the search.
    """
    import dealcheck.report.analyses  # noqa: F401  (registers the renderers)
    from dealcheck.analysis.repair import repair

    scenario = load(file, variant)
    given = _given_package(scenario, package, settings)
    if given is None:
        raise UsageError(
            "repair needs a proposal", "give --package NAME, or the proposal's terms with --set TERM=VALUE"
        )
    return _answer(
        "repair",
        lambda progress: repair(
            scenario, given, keep=keep, top=top, backend=backend, time_limit=time_limit, progress=progress
        ),
        fmt,
        output,
        color,
    )


@cli.command(name="compare")
@_scenario_options
@_package_option("Compare this package (repeatable; default: all).", multiple=True)
@_limit_option("Count at most N deals per scenario (constraint and brute backends).", minimum=0, default=None)
@_time_limit_option("Limit the whole comparison.")
@_memory_limit_option(_MEMORY_HELP)
@_backend_option(_BACKEND_HELP)
@_common_output
@_handle_errors
def compare_command(
    file: str,
    variant: str | None,
    packages: tuple[str, ...],
    limit: int | None,
    time_limit: float | None,
    backend: str,
    fmt: str,
    output: str | None,
    color: str,
) -> int:
    """The base scenario and each variant side by side: the number of deals and every package's verdict (deal, can
    become deal, no deal). With --variant NAME, the base and that variant only.

    Exit 0 when answered, 4 when a limit stopped a count or a check.
    """
    import dealcheck.report.analyses  # noqa: F401  (registers the renderers)
    from dealcheck.analysis.compare import compare

    scenario = load(file)
    if variant is not None:
        scenario.variant(variant)  # an unknown name is a usage error, with a suggestion
    return _answer(
        "compare",
        lambda progress: compare(
            scenario,
            variants=None if variant is None else [variant],
            packages=list(packages) or None,
            backend=backend,
            limit=limit,
            time_limit=time_limit,
            progress=progress,
        ),
        fmt,
        output,
        color,
    )


@cli.command(name="init")
@click.argument("name", required=False, default="scenario.yaml", metavar="[NAME]")
@click.option("--force", is_flag=True, help="Overwrite NAME if it exists.")
@_handle_errors
def init_command(name: str, force: bool) -> int:
    """Write a commented starter scenario to NAME (default scenario.yaml; .yaml is added when NAME has no
    extension). It passes `dealcheck validate` and `dealcheck test`; edit it from there."""
    from dealcheck.starter import STARTER

    path = Path(name if name.endswith((".yaml", ".yml")) else name + ".yaml")
    if path.exists() and not force:
        raise UsageError(f"{path} exists already", "choose another name, or give --force to overwrite it")
    title = path.stem.replace("_", " ").replace("-", " ").strip().capitalize() or "Talks"
    emit(STARTER.format(name=path, title=title), str(path))
    click.echo(f"wrote {path}: try `dealcheck {path}` and `dealcheck test {path}`", err=True)
    return EXIT_OK


@cli.group(name="import")
def import_group() -> None:
    """Write a dealcheck scenario from another tool's files (Genius)."""


@import_group.command(name="genius")
@click.argument("domain", type=click.Path(dir_okay=False, path_type=str))
@click.argument("profiles", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@_output_option("Write the scenario here.")
@_handle_errors
def import_genius(domain: str, profiles: tuple[str, ...], output: str | None) -> int:
    """Import a Genius domain (DOMAIN.xml) and its utility profiles (one PROFILE.xml per party) as a scenario:
    one term per issue, one party per profile with its utility and reservation value, the XML files as sources
    (check the quotes with `dealcheck validate FILE --sources DIR`). Bad XML exits 2 with the file:line:col."""
    from dealcheck import genius
    from dealcheck.loader import load_scenario

    text = genius.genius_scenario(genius.read_file(domain), [genius.read_file(p) for p in profiles])
    load_scenario(text)  # what is written always loads; a failure here is a bug, not the user's input
    if output is not None:
        from dealcheck import cli_io

        cli_io.write_output(text, output, inputs=[domain, *profiles])
        click.echo(f"wrote {output}: try `dealcheck explore {output}`", err=True)
    else:
        emit(text, None)
    return EXIT_OK


@cli.group(name="export")
def export_group() -> None:
    """Write a scenario in another tool's format (Genius XML, which NegMAS loads)."""


@export_group.command(name="negmas")
@click.argument("file", type=click.Path(allow_dash=True, path_type=str))
@click.option(
    "-o", "--output", "folder", required=True, type=click.Path(file_okay=False), help="Write the XML files here."
)
@_handle_errors
def export_negmas(file: str, folder: str) -> int:
    """Write FILE as a Genius domain and one profile per party in FOLDER, which NegMAS's
    Scenario.from_genius_folder loads. Only scenarios whose parties are utilities (and reservation values) can be
    written: anything else exits 2 saying what cannot."""
    from dealcheck import cli_io, genius

    scenario = load(file)
    Path(folder).mkdir(parents=True, exist_ok=True)
    for name, text in genius.export_genius(scenario).items():
        cli_io.write_output(text, str(Path(folder) / name), inputs=[file])
        click.echo(f"wrote {Path(folder) / name}", err=True)
    return EXIT_OK


@cli.command(name="sweep")
@_scenario_options
@click.option("--samples", type=click.IntRange(min=1), default=10_000, show_default=True, help="Monte Carlo draws.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the draws.")
@_top_option("Best deals shown per objective.", minimum=1, default=5)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Local processes drawing samples (the answer is the same for any number).",
)
@click.option("--executor", metavar="dask://HOST:PORT", help="Draw the samples on a Dask cluster (the dask extra).")
@click.option(
    "--engine",
    type=click.Choice(["table", "solve"]),
    default=None,
    help="table: every package checked once, then array operations per draw; solve: one CP-SAT model re-solved per "
    "draw. Default: the table up to 4,194,304 packages, else solve. Both give the same best deals on the same draws.",
)
@_time_limit_option("Stop sampling then, and report the samples drawn so far (exit 4).")
@_memory_limit_option(_MEMORY_HELP)
@_common_output
@_handle_errors
def sweep_command(
    file: str,
    variant: str | None,
    samples: int,
    seed: int,
    top: int,
    workers: int,
    executor: str | None,
    engine: str | None,
    time_limit: float | None,
    fmt: str,
    output: str | None,
    color: str,
) -> int:
    """How likely each finding is, given the confidences of the rules and the weight ranges: per package the
    probability of a deal and of each party accepting it (exact for full packages), the probability that any deal
    exists, per option the probability of occurring in some deal and in the best deal, and the best deals' odds.

    Exit 0 when some deal exists with positive probability, 1 when none can, 4 when --time-limit cut the sampling.
    """
    from dealcheck.analysis.sweep import sweep

    scenario = load(file, variant)
    if executor is not None and workers != 1:
        raise UsageError("give --workers or --executor, not both")
    return _answer(
        "sweep",
        lambda progress: sweep(
            scenario,
            samples=samples,
            seed=seed,
            top=top,
            time_limit=time_limit,
            executor=executor if executor is not None else workers,
            progress=progress,
            engine=engine,
        ),
        fmt,
        output,
        color,
    )


@cli.command(name="report")
@_scenario_options
@_top_option("Best deals to mark and list.", minimum=0, default=5)
@_time_limit_option("Limit all the analyses together.")
@_memory_limit_option(_MEMORY_HELP)
@_backend_option(_BACKEND_HELP)
@_format_option(
    ["html", "json", "text", "markdown"], "html", "html: one self-contained page (no network needed to view it)."
)
@_output_option()
@_handle_errors
def report_command(
    file: str, variant: str | None, top: int, time_limit: float | None, backend: str, fmt: str, output: str | None
) -> int:
    """Every analysis on one page: who blocks what (packages x parties, each cell opening the red lines and quotes),
    the zone of agreement, the Pareto frontier, conflicts and cheapest concessions, variants side by side.

    Exit 0 when written, 4 when --time-limit left a part unfinished (the page says which).
    """
    from dealcheck.analysis.overview import overview
    from dealcheck.progress import Progress
    from dealcheck.report import render

    scenario = load(file, variant)
    with Progress("dealcheck report") as progress:
        result = overview(scenario, top=top, backend=backend, time_limit=time_limit, progress=progress)
    emit(render(result, fmt), output)
    if output is not None:
        click.echo(f"wrote {output}", err=True)
    return result.exit_code


@cli.command(name="schema")
@_output_option("Write the schema here.")
@_handle_errors
def schema_command(output: str | None) -> int:
    """Print a JSON Schema (draft 2020-12) of the scenario format, for editors' completion and inline errors.

    \b
    dealcheck schema -o dealcheck.schema.json
    then start a scenario with:  # yaml-language-server: $schema=dealcheck.schema.json
    """
    from dealcheck.schema import schema_text

    emit(schema_text(), output)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``dealcheck`` script."""
    from dealcheck.cli_io import prepare_process

    prepare_process()
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="dealcheck")
    except BrokenPipeError:
        # The reader went away (``dealcheck FILE | head -1``): not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
