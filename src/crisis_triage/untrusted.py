"""One bounded reader for every file and value that comes from outside the program.

A protocol comes from an author, a calls file from another system, a config from an administrator,
an environment variable from whoever started the console: none of them may crash, hang or exhaust a
command. Everything read from them goes through here:

* :func:`read_bounded` reads at most a size limit, refuses what is not a regular file (``/dev/zero``,
  a FIFO, a folder) and never loads more than the limit into memory;
* :func:`decode_utf8` turns bytes into text or says on which line and column the bad byte is;
* :func:`load_json` parses one JSON value with bounded line length, nesting, number size and string
  content (no lone surrogates, which would fail later when written out), refusing duplicate keys;
* :func:`check_plain` bounds a value already parsed by another reader (TOML);
* :func:`describe_failure` is the one place that turns an exception raised while reading user input
  into a sentence for the person who can fix the input (never a traceback).

This module is headless and imports nothing from the rest of the package, so every layer may use it.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIB = 1024 * 1024
#: Largest protocol or scenario file read (a generated 10,000-question protocol is about 5 MB).
MAX_DOCUMENT_BYTES = 16 * MIB
#: Largest config file read.
MAX_CONFIG_BYTES = 1 * MIB
#: Longest line of a calls file (JSON Lines).
MAX_LINE_CHARS = 1 * MIB
#: Deepest nesting of lists and mappings in a JSON line, a config or an environment value.
MAX_DEPTH = 32
#: Most digits in a number read from a file (well under Python's 4,300-digit conversion limit).
MAX_DIGITS = 64
#: Most values (scalars, lists, mappings) in one JSON line or config.
MAX_VALUES = 100_000

#: Exceptions that reading hostile input can raise from the parsers and validators we use: each is
#: turned into a located problem by the reader that catches it (see :func:`describe_failure`).
INPUT_FAILURES = (ValueError, TypeError, OverflowError, RecursionError, MemoryError, UnicodeError, KeyError)


@dataclass
class UntrustedInputError(ValueError):
    """Input that cannot be used, with where it is (1-based line and column, 0 when unknown)."""

    message: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return self.message


def read_bounded(path: str | os.PathLike[str], limit: int = MAX_DOCUMENT_BYTES, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises :class:`UntrustedInputError` for a missing or unreadable file, a device, FIFO or folder,
    and a file over the limit (read stops at the limit: a huge file never fills memory).
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise UntrustedInputError(f"cannot read the {what}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UntrustedInputError(f"cannot read the {what}: it is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise UntrustedInputError(f"cannot read the {what}: it is a device or pipe, not a regular file")
    if info.st_size > limit:
        raise UntrustedInputError(f"the {what} is {_size(info.st_size)}; the limit is {_size(limit)}")
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise UntrustedInputError(f"cannot read the {what}: {exc.strerror or exc}") from None
    if len(data) > limit:  # grew while being read
        raise UntrustedInputError(f"the {what} is over the limit of {_size(limit)}")
    return data


def bounded_lines(handle, limit: int = MAX_LINE_CHARS):
    """The lines of an open file, each read with at most ``limit + 1`` characters in memory.

    An over-long line is yielded cut to ``limit + 1`` characters (so its reader can say it is too
    long) and the rest of it is skipped: one huge line never fills memory.
    """
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n" if isinstance(line, bytes) else "\n"):
            while True:  # skip the rest of the over-long line
                rest = handle.readline(limit)
                if not rest or rest.endswith(b"\n" if isinstance(rest, bytes) else "\n"):
                    break
        yield line


def _size(count: int) -> str:
    return f"{count / MIB:.1f} MB" if count >= MIB else f"{count:,} bytes"


def decode_utf8(raw: bytes, what: str = "file") -> str:
    """``raw`` as text (a UTF-8 byte-order mark is dropped); the error names the bad byte's line and column."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = position_of(raw, exc.start)
        raise UntrustedInputError(
            f"the {what} is not UTF-8 text (the byte 0x{raw[exc.start]:02x}); save it as UTF-8",
            line,
            column,
        ) from None


def position_of(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``offset`` of ``raw``."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # at C speed; a key written twice makes the dict shorter than the pairs
    if len(result) == len(pairs):
        return result
    result = {}
    for key, value in pairs:  # find the first key written twice, for the message
        if key in result:
            raise UntrustedInputError(f'the key "{_short(key)}" is written twice in one object')
        result[key] = value
    return result


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise UntrustedInputError(f"a number has {len(text.lstrip('-')):,} digits; at most {MAX_DIGITS} are read")
    return int(text)


_INFINITY = float("inf")


def _bounded_float(text: str) -> float:
    if len(text) > MAX_DIGITS * 2:
        raise UntrustedInputError(f"a number is written with {len(text):,} characters; at most {MAX_DIGITS * 2}")
    value = float(text)
    if value == _INFINITY or value == -_INFINITY:  # (two comparisons: this runs for every number of a line)
        raise UntrustedInputError(f"the number {_short(text)} is too large")
    return value


def _no_constant(name: str) -> Any:
    raise UntrustedInputError(f"{name} is not a number JSON allows")


#: One decoder with the bounding hooks, built once (``json.loads`` with hooks builds one per call).
_DECODER = json.JSONDecoder(
    object_pairs_hook=_no_duplicates,
    parse_int=_bounded_int,
    parse_float=_bounded_float,
    parse_constant=_no_constant,
)


#: The members (key: value pairs) the fast reader's objects hold, added up as it builds them; read
#: and reset under :data:`_FAST_LOCK` (one read at a time, whatever the threads).
_members = [0]
_FAST_LOCK = threading.Lock()


def _count_members(obj: dict[str, Any]) -> dict[str, Any]:
    _members[0] += len(obj)
    return obj


#: The same C scanner and number hooks as :data:`_DECODER`, without the duplicate-key hook (whose
#: list of pairs per object is a fifth of a calls-file line's reading): each object is built as
#: ``json.loads`` builds it (a key written twice keeps its last value) and only its size is noted.
_FAST_DECODER = json.JSONDecoder(
    object_hook=_count_members,
    parse_int=_bounded_int,
    parse_float=_bounded_float,
    parse_constant=_no_constant,
)
_FAST_SCAN = _FAST_DECODER.scan_once  # type: ignore[attr-defined]  # set by JSONDecoder.__init__, not in its stubs
_KEY_END = '":'


def _keys_end_in_colons(text: str) -> bool:
    """No quote followed by white space (a key so written would not end in :data:`_KEY_END`), checked
    cheaply: a space after a quote, or a tab, carriage return or line feed anywhere but at the end."""
    return not ('" ' in text or "\t" in text or "\r" in text or -1 < text.find("\n") < len(text) - 1)


def _load_fast(text: str) -> Any:
    """The value of a text that has no backslash and no quote followed by white space, read without
    the duplicate-key hook; :data:`_NOT_FAST` where that reading cannot vouch for it (malformed, or
    a key may be written twice): the careful reading then decides, and words any refusal.

    Without a backslash every string is the text between two quotes, none inside it, so a ``":``
    ends a key or starts a string that begins with a colon; with no quote followed by white space,
    every key ends in ``":``. The text thus holds at least ``text.count('":')`` members, and the
    objects built hold exactly that many when no key is written twice (a key written twice leaves
    one member fewer, a string that begins with a colon counts one more: either way they differ).
    """
    if not _FAST_LOCK.acquire(blocking=False):  # another thread is reading: no shared count to use
        return _NOT_FAST
    try:
        _members[0] = 0
        try:
            # The decoder's scanner itself (what its decode() runs, less two white-space matches): a
            # text that does not start with the value, or has more than white space after it, is
            # left to the careful reading.
            value, end = _FAST_SCAN(text, 0)
        except (StopIteration, *INPUT_FAILURES):
            return _NOT_FAST
        if end != len(text) and text[end:].strip(" \t\n\r"):
            return _NOT_FAST
        if _members[0] != text.count(_KEY_END):
            return _NOT_FAST
        return value
    finally:
        _FAST_LOCK.release()


_NOT_FAST = object()


def load_json(text: str, what: str = "line") -> Any:
    """Parse one JSON value from untrusted text, within every bound above.

    Raises :class:`UntrustedInputError` (with a column when the JSON itself is malformed).

    Two scans in Python guard the parser: nesting depth before it runs, and the parsed value's size
    and text after (:func:`check_plain`). Each is skipped only where it cannot refuse anything, which
    is the common case of a calls file's line (see :func:`_load_json_careful`, which always runs
    both; a property test holds the two to the same answers):

    * nesting deeper than :data:`MAX_DEPTH` needs more than that many ``[`` and ``{`` in the text;
    * the value check can only refuse, beyond what the parser's own hooks already refused (numbers
      of over :data:`MAX_DIGITS` digits, infinite floats, constants), a text with more values than
      :data:`MAX_VALUES` (each value starts at its own character, so no more values than
      characters), nesting (already scanned) or a lone surrogate: without a ``\\u`` escape every
      string is a slice of the text, so a text that encodes as UTF-8 holds none;
    * the duplicate-key hook is left out (see :func:`_load_fast`) where a count of the text's
      ``":`` shows that no key is written twice: a text without a backslash or a quote followed by
      white space, the common case of a line written by a JSON library.
    """
    if len(text) > MAX_LINE_CHARS:
        raise UntrustedInputError(f"the {what} is {len(text):,} characters long; the limit is {MAX_LINE_CHARS:,}")
    scan_depth = text.count("[") + text.count("{") > MAX_DEPTH
    if "\\" not in text:
        check_values = len(text) > MAX_VALUES or not (text.isascii() or _encodes(text))
        if not (scan_depth or check_values or not _keys_end_in_colons(text)):
            value = _load_fast(text)
            if value is not _NOT_FAST:
                return value
    else:
        check_values = len(text) > MAX_VALUES or "\\u" in text or not (text.isascii() or _encodes(text))
    return _load(text, what, scan_depth, check_values)


def _load_json_careful(text: str, what: str = "line") -> Any:
    """:func:`load_json` with both guarding scans always run (the reference its shortcuts are tested against)."""
    if len(text) > MAX_LINE_CHARS:
        raise UntrustedInputError(f"the {what} is {len(text):,} characters long; the limit is {MAX_LINE_CHARS:,}")
    return _load(text, what, True, True)


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _load(text: str, what: str, scan_depth: bool, check_values: bool) -> Any:
    if scan_depth:
        depth = _bracket_depth(text)
        if depth > MAX_DEPTH:
            raise UntrustedInputError(f"the {what} nests lists or objects {depth} deep; at most {MAX_DEPTH}")
    try:
        if text.startswith("\ufeff"):  # as json.loads says it (the decoder alone does not check)
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise UntrustedInputError(f"not valid JSON: {exc.msg} at column {exc.colno}", exc.lineno, exc.colno) from None
    except UntrustedInputError:
        raise
    except INPUT_FAILURES as exc:
        raise UntrustedInputError(describe_failure(exc)) from None
    if check_values:
        check_plain(value, what)
    return value


def _bracket_depth(text: str) -> int:
    """How deep ``[`` and ``{`` nest outside strings (a cheap scan before a recursive parser runs)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def check_plain(value: Any, what: str = "value") -> None:
    """Bound a parsed value: nesting depth, number of values, number sizes, text that can be written out.

    Raises :class:`UntrustedInputError`. Iterative, so a deep value cannot exhaust the stack.
    """
    stack = [(value, 1)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise UntrustedInputError(f"the {what} holds over {MAX_VALUES:,} values")
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if item.bit_length() > MAX_DIGITS * 4:
                raise UntrustedInputError(f"a number in the {what} is too large")
        elif isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                raise UntrustedInputError(f"a number in the {what} is not finite")
        elif isinstance(item, (list, tuple, dict)):
            if depth > MAX_DEPTH:
                raise UntrustedInputError(f"the {what} nests lists or mappings more than {MAX_DEPTH} deep")
            if isinstance(item, dict):
                for key, inner in item.items():
                    stack.append((key, depth + 1))
                    stack.append((inner, depth + 1))
            else:
                stack.extend((inner, depth + 1) for inner in item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UntrustedInputError(
            f"the text {_short(text)!r} holds an unpaired surrogate (\\u{ord(text[exc.start]):04x}); "
            "it is not a character and cannot be stored or written out"
        ) from None


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_failure(exc: BaseException) -> str:
    """What went wrong reading user input, as a sentence for the person who can fix the input.

    The one translation of parser and validator exceptions: every reader of untrusted input catches
    :data:`INPUT_FAILURES` and reports this sentence with the line it was reading.
    """
    if isinstance(exc, UntrustedInputError):
        return exc.message
    if isinstance(exc, RecursionError):
        return "the input nests too deeply to read"
    if isinstance(exc, MemoryError):
        return "the input is too large to hold in memory"
    if isinstance(exc, OverflowError):
        return f"a value is out of range ({_first_line(exc)})"
    if isinstance(exc, UnicodeError):
        return f"the text cannot be read or written as UTF-8 ({_first_line(exc)})"
    message = _first_line(exc)
    if "Exceeds the limit" in message and "digits" in message:
        return "a number has too many digits to read"
    errors = getattr(exc, "errors", None)
    if callable(errors):  # pydantic's ValidationError, without importing pydantic here
        try:
            first = errors(include_url=False)[0]
        except Exception:  # pragma: no cover - a foreign errors() method
            return message
        where = ".".join(str(p) for p in first.get("loc", ())) or "the value"
        return f"{where}: {first.get('msg', message)}"
    return message or type(exc).__name__


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return _short(text.splitlines()[0], 200) if text else type(exc).__name__
