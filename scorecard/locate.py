"""Where a key of a TOML text is written: key paths → line numbers.

``tomllib`` parses without positions, so a scorecard's validation would otherwise say *what*
is wrong but not *where*. :class:`Locator` scans the same text once and records the line of
every table header, key and array element, addressed by a key path: a tuple of table keys
and array indices, e.g. ``("perspectives", 0, "objectives", 1, "measures", 2, "goal")``.
It follows arrays of tables (``[[perspectives.objectives]]`` belongs to the last
``[[perspectives]]`` before it), dotted keys, quoted keys, inline tables and arrays spread
over several lines.

The text must already have parsed with ``tomllib`` (the scanner trusts the syntax); a
syntax error is located with :func:`syntax_error_position` from tomllib's own message.
"""

from __future__ import annotations

import re
import tomllib

Path = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")
_SCALAR_END = ",]}#\r\n"


def format_path(path: Path) -> str:
    """``("services", "File shares", "target")`` → ``services."File shares".target``;
    array indices (0-based) in brackets: ``perspectives[0].objectives[1].goal``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if _BARE.fullmatch(part) else _quote(part)
            out += f".{text}" if out else text
    return out


def _quote(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def syntax_error_position(exc: tomllib.TOMLDecodeError, text: str) -> tuple[str, int | None, int | None]:
    """tomllib's message without its position, and the (line, column) it names."""
    message = str(exc)
    m = _AT.search(message)
    if m:
        return message[: m.start()], int(m.group(1)), int(m.group(2))
    m = _AT_END.search(message)
    if m:
        lines = text.splitlines() or [""]
        return message[: m.start()], len(lines), len(lines[-1]) + 1
    return message, None, None


class Locator:
    """The line (1-based) of every key path of a TOML text that ``tomllib`` accepts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[Path, int] = {}
        self._arrays: dict[Path, int] = {}  # array-of-tables path → elements so far
        self._document()

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest enclosing key that is written down
        (a missing key is reported at the table that should hold it)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    # ------------------------------------------------------------------ scanning

    def _peek(self, n: int = 1) -> str:
        return self.text[self.pos: self.pos + n]

    def _advance(self, n: int = 1) -> None:
        chunk = self.text[self.pos: self.pos + n]
        self.line += chunk.count("\n")
        self.pos += len(chunk)

    def _blank(self, *, newlines: bool) -> None:
        """Skip spaces and tabs (and, with ``newlines``, line breaks and comments)."""
        while self.pos < len(self.text):
            c = self.text[self.pos]
            if c in " \t" or (newlines and c in "\r\n"):
                self._advance()
            elif c == "#" and newlines:
                self._to_line_end()
            else:
                return

    def _to_line_end(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end

    def _record(self, path: Path, line: int) -> None:
        self.lines.setdefault(path, line)

    def _document(self) -> None:
        table: Path = ()
        while True:
            self._blank(newlines=True)
            if self.pos >= len(self.text):
                return
            if self._peek(2) == "[[":
                line = self.line
                self._advance(2)
                table = self._header(self._key(), array=True, line=line)
                self._blank(newlines=False)
                self._advance(2)  # ]]
            elif self._peek() == "[":
                line = self.line
                self._advance()
                table = self._header(self._key(), array=False, line=line)
                self._blank(newlines=False)
                self._advance()  # ]
            else:
                self._pair(table)
            self._blank(newlines=False)
            if self._peek() == "#":
                self._to_line_end()

    def _header(self, parts: list[str], *, array: bool, line: int) -> Path:
        concrete: Path = ()
        for i, part in enumerate(parts):
            concrete += (part,)
            self._record(concrete, line)
            if array and i == len(parts) - 1:
                n = self._arrays.get(concrete, 0)
                self._arrays[concrete] = n + 1
                concrete += (n,)
            elif concrete in self._arrays:
                concrete += (self._arrays[concrete] - 1,)
        self._record(concrete, line)
        return concrete

    def _pair(self, table: Path) -> None:
        line = self.line
        path = table
        for part in self._key():
            path += (part,)
            self._record(path, line)
        self._blank(newlines=False)
        self._advance()  # =
        self._blank(newlines=False)
        self._value(path)

    def _key(self) -> list[str]:
        parts = []
        while True:
            self._blank(newlines=False)
            c = self._peek()
            if c in "\"'":
                start = self.pos
                end = self.text.index(c, self.pos + 1) if c == "'" else self._basic_end(self.pos + 1)
                raw = self.text[start: end + 1]
                self._advance(end + 1 - start)
                parts.append(tomllib.loads(f"k = {raw}")["k"])
            else:
                m = _BARE.match(self.text, self.pos)
                parts.append(m.group(0))
                self._advance(m.end() - self.pos)
            self._blank(newlines=False)
            if self._peek() != ".":
                return parts
            self._advance()

    def _basic_end(self, pos: int) -> int:
        """The index of the closing quote of a one-line basic string starting at ``pos``."""
        while True:
            c = self.text[pos]
            if c == "\\":
                pos += 2
            elif c == '"':
                return pos
            else:
                pos += 1

    def _value(self, path: Path) -> None:
        c = self._peek()
        if c == "[":
            self._array(path)
        elif c == "{":
            self._inline_table(path)
        elif self._peek(3) in ('"""', "'''"):
            self._multiline_string(self._peek(3))
        elif c == '"':
            self._advance(self._basic_end(self.pos + 1) + 1 - self.pos)
        elif c == "'":
            self._advance(self.text.index("'", self.pos + 1) + 1 - self.pos)
        else:
            while self.pos < len(self.text) and self.text[self.pos] not in _SCALAR_END:
                self._advance()

    def _multiline_string(self, quote: str) -> None:
        self._advance(3)
        while True:
            if quote == '"""' and self._peek() == "\\":
                self._advance(2)
            elif self._peek(3) == quote:
                self._advance(3)
                extra = 0
                while self._peek() == quote[0] and extra < 2:  # quotes just before the end
                    self._advance()
                    extra += 1
                return
            else:
                self._advance()

    def _array(self, path: Path) -> None:
        self._advance()  # [
        i = 0
        while True:
            self._blank(newlines=True)
            if self._peek() == "]":
                self._advance()
                return
            self._record(path + (i,), self.line)
            self._value(path + (i,))
            i += 1
            self._blank(newlines=True)
            if self._peek() == ",":
                self._advance()

    def _inline_table(self, path: Path) -> None:
        self._advance()  # {
        while True:
            self._blank(newlines=True)
            if self._peek() == "}":
                self._advance()
                return
            self._pair(path)
            self._blank(newlines=True)
            if self._peek() == ",":
                self._advance()
