"""The command line's contact with the outside world: standard streams, ``-o`` files, stdin, signals.

In: the process as the shell left it (streams possibly closed, a non-UTF-8 locale, Ctrl-C, a reader that goes away)
and the text a command renders. Out: bytes on a stream or in a file, or a :class:`~dealcheck.errors.UsageError`
(exit 2) with a sentence. :mod:`dealcheck.cli` calls these; nothing here decides what a report says.

- :func:`prepare_process` runs first: a closed stdin/stdout/stderr is reopened on ``/dev/null`` (so a file dealcheck
  opens can never land on descriptor 1 and receive the report) and remembered as closed; stdout and stderr
  write unencodable characters as backslash escapes instead of raising; Ctrl-C is routed to running solves
  (:mod:`dealcheck.interrupt`).
- :func:`write_output` writes ``-o`` atomically: a temporary file in the target's directory, then a rename, so a
  full disk or a size limit leaves the old file as it was; a target that is one of the command's inputs is refused.
- :func:`read_stdin` reads at most the size limit plus one byte, so ``- < /dev/zero`` costs 2 MiB, not all memory.
- :func:`write_stdout` refuses (exit 2) when stdout was closed, and makes a report inert for a terminal.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable
from typing import TextIO

from dealcheck.errors import UsageError
from dealcheck.escape import for_text

__all__ = [
    "InertWriter",
    "closed_streams",
    "prepare_process",
    "read_stdin",
    "safe_for_terminal",
    "write_output",
    "write_stdout",
]

# Colour (Select Graphic Rendition) sequences, as click.style writes them: they change colours, nothing else.
_SGR = re.compile("\x1b\\[[0-9;]*m")
_SGR_SPLIT = re.compile("(\x1b\\[[0-9;]*m)")

#: Names ("stdin", "stdout", "stderr") of the standard streams that were closed when the process started.
closed_streams: set[str] = set()


def prepare_process() -> None:
    """Make the standard streams safe to use, whatever state the shell left them in (see the module docstring)."""
    from dealcheck import interrupt

    for fd, name, mode in ((0, "stdin", os.O_RDONLY), (1, "stdout", os.O_WRONLY), (2, "stderr", os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            closed_streams.add(name)
            devnull = os.open(os.devnull, mode)
            if devnull != fd:  # open() takes the lowest free descriptor: normally the closed one itself
                os.dup2(devnull, fd)
                os.close(devnull)
            if name == "stdin":
                sys.stdin = open(fd, encoding="utf-8", closefd=False)
            else:
                setattr(sys, name, open(fd, "w", encoding="utf-8", closefd=False))
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    if not isinstance(sys.stderr, InertWriter):
        sys.stderr = InertWriter(sys.stderr)
    interrupt.install()


class InertWriter(io.TextIOBase):
    """A text stream that writes through to ``unescaped`` with control characters made visible (newline and tab
    kept): every message dealcheck or click prints on stderr is inert, whatever code printed it. It has no
    ``buffer``, so click cannot go around it. :mod:`dealcheck.progress` writes its own ``\\r\\x1b[K`` to
    ``unescaped``."""

    def __init__(self, unescaped: TextIO) -> None:
        self.unescaped = unescaped

    def write(self, text: str) -> int:
        self.unescaped.write(safe_for_terminal(text))
        return len(text)

    def flush(self) -> None:
        self.unescaped.flush()

    def isatty(self) -> bool:
        return self.unescaped.isatty()

    def fileno(self) -> int:
        return self.unescaped.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.unescaped, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.unescaped, "errors", None)


def safe_for_terminal(text: str) -> str:
    """A whole report or message with every control character but newline and tab made visible."""
    return for_text(text, newlines=True)


def write_stdout(text: str, *, color: bool = False) -> None:
    """Write a report to stdout, inert; ``color`` keeps colour sequences (SGR, ``ESC [ ... m``) and nothing else."""
    if "stdout" in closed_streams:
        raise UsageError("standard output is closed: nowhere to write the report", "give -o FILE, or leave stdout open")
    if color:
        text = "".join(part if _SGR.fullmatch(part) else safe_for_terminal(part) for part in _SGR_SPLIT.split(text))
    else:
        text = safe_for_terminal(text)
    sys.stdout.write(text)
    sys.stdout.flush()


def read_stdin(limit: int) -> bytes:
    """At most ``limit + 1`` bytes of stdin: enough for the loader to say "too large", never the whole stream."""
    if "stdin" in closed_streams or sys.stdin is None:
        raise UsageError("standard input is closed: nothing to read for '-'", "give the scenario file's name")
    try:
        buffer = sys.stdin.buffer
    except AttributeError:  # a replaced stdin (a test harness) without bytes
        return sys.stdin.read(limit + 1).encode("utf-8")
    return buffer.read(limit + 1)


def write_output(text: str, path: str, *, inputs: Iterable[str] = ()) -> None:
    """Write ``text`` (UTF-8) to ``path`` all at once or not at all; :class:`UsageError` with a sentence if not.

    A regular file (or a new name) is written to a temporary file beside it and renamed over it, keeping the old
    file's permissions; a device or pipe (``/dev/null``, ``/dev/stdout``) is written directly, since it cannot be
    renamed over. ``inputs`` are the files the command read: writing over one of them is refused.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> write_output("{}\\n", os.path.join(d, "r.json"))
    >>> open(os.path.join(d, "r.json")).read()
    '{}\\n'
    >>> write_output("x", os.path.join(d, "r.json"), inputs=[os.path.join(d, "r.json")])
    Traceback (most recent call last):
    ...
    dealcheck.errors.UsageError: -o ... is an input of this command: writing the report there would destroy it
    """
    shown = repr(path) if len(path) <= 120 else repr(path[:100] + "...")
    if not path:
        raise UsageError("-o needs a file name, not an empty string")
    if path.endswith(("/", os.sep)) or os.path.isdir(path):
        raise UsageError(f"-o {shown} is a directory; give a file name")
    for source in inputs:
        if source == "-" or not source:
            continue
        if _is_input(path, source):
            raise UsageError(
                f"-o {shown} is an input of this command: writing the report there would destroy it",
                "choose another file name for the report",
            )
    data = text.encode("utf-8", "backslashreplace")
    target = os.path.realpath(path)  # through a symlink: replace the file it names, not the link
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as e:
        raise _failure(shown, e) from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_special(target, data, shown)
        return
    _write_atomic(target, data, shown, None if info is None else stat.S_IMODE(info.st_mode))


def _is_input(path: str, source: str) -> bool:
    """Whether ``path`` is the file ``source``, or a scenario file (``*.yaml``, ``*.yml``) inside folder ``source``."""
    try:
        if not os.path.exists(path):
            return False
        if os.path.isdir(source):
            real, folder = os.path.realpath(path), os.path.realpath(source)
            return real.endswith((".yaml", ".yml")) and os.path.commonpath([real, folder]) == folder
        return os.path.samefile(path, source)
    except (OSError, ValueError):
        return False


def _write_special(target: str, data: bytes, shown: str) -> None:
    try:
        # Non-blocking open: a FIFO nobody reads fails at once (ENXIO) instead of hanging.
        fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as e:
        raise _failure(shown, e) from None
    try:
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as e:
        raise _failure(shown, e) from None
    finally:
        os.close(fd)


def _write_atomic(target: str, data: bytes, shown: str, mode: int | None) -> None:
    folder, name = os.path.split(target)
    try:
        fd, temp = tempfile.mkstemp(prefix="." + name[:40] + ".", suffix=".tmp", dir=folder or ".")
    except OSError as e:
        raise _failure(shown, e, folder=folder) from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if mode is None:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise _failure(shown, e, folder=folder) from None


_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EFBIG: "the file would exceed the file-size limit",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EROFS: "the file system is read-only",
    errno.ENXIO: "it is a pipe that nobody reads",
}


def describe_os_error(error: OSError) -> str:
    """A sentence for an error the environment caused (a full disk, a size limit, permissions), for exit 2.

    >>> import errno
    >>> describe_os_error(OSError(errno.EFBIG, "File too large", "v.csv"))
    "cannot use 'v.csv': the file would exceed the file-size limit"
    """
    reason = _REASONS.get(error.errno or 0) or (error.strerror or str(error)).lower()
    where = f"cannot use {error.filename!r}" if error.filename else "a read or a write failed"
    return f"{where}: {reason}"


def _failure(shown: str, error: OSError, *, folder: str | None = None) -> UsageError:
    reason = _REASONS.get(error.errno or 0)
    if reason is None and isinstance(error, FileNotFoundError) and folder is not None:
        reason = f"the folder {folder!r} does not exist"
    if reason is None:
        reason = (error.strerror or str(error)).lower()
    return UsageError(
        f"cannot write the report to {shown}: {reason}",
        "nothing was written; any previous file there is unchanged",
    )
