"""Where each key of a TOML document is: line numbers for error messages.

``tomllib`` gives line numbers for syntax errors only; a value that parses but is
invalid (a rate of -2) must be traced back to its line by its path, e.g.
``("measure", 1, "rate")`` for ``rate`` in the second ``[[measure]]`` table.
:class:`KeyLines` scans the text line by line for table headers and ``key =``
lines. It is meant for documents ``tomllib`` has accepted (and degrades
gracefully on others): keys inside inline tables or arrays map to the line of
the enclosing key, and missing keys to the line of their table.
"""

from __future__ import annotations

import re
import tomllib

__all__ = ["KeyLines", "syntax_error_line"]

_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_ARRAY_HEADER = re.compile(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]\s*(?:#.*)?$")
_TABLE_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]\s*(?:#.*)?$")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=\s*(.*)$")
_PARTS = re.compile(_PART)
_SYNTAX_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")
_STRINGS = re.compile(r""""(?:[^"\\]|\\.)*"|'[^']*'""")

Path = tuple[str | int, ...]


def _unquote(part: str) -> str:
    if part[0] in "\"'":
        # The quoted key's own TOML parse handles every escape.
        return tomllib.loads(f"k = {part}")["k"]
    return part


def _split(dotted: str) -> list[str]:
    return [_unquote(part) for part in _PARTS.findall(dotted)]


class KeyLines:
    """Line (1-based) of every table header and key in a TOML text, by path.

    Parameters
    ----------
    text : str
        The TOML text (scanned once, without parsing values).
    """

    def __init__(self, text: str):
        self.first: dict[Path, int] = {}  # path -> line where it is first defined
        self.by_line: dict[int, Path] = {}  # line -> path of the header or key on it
        self._scan(text)

    def _scan(self, text: str) -> None:
        arrays: dict[Path, int] = {}  # array-of-tables path -> number of tables so far
        table: Path = ()
        closing: str | None = None  # delimiter of a multi-line string being skipped
        depth = 0  # open brackets of a multi-line array or inline table being skipped

        def resolve(parts: list[str]) -> list[str | int]:
            path: list[str | int] = []
            for part in parts:
                path.append(part)
                if tuple(path) in arrays:  # inside the latest table of an array of tables
                    path.append(arrays[tuple(path)] - 1)
            return path

        for number, line in enumerate(text.splitlines(), start=1):
            if closing is not None:
                if closing in line:
                    closing = None
                continue
            if depth > 0:  # inside a value spread over lines: no keys or headers here
                depth += _bracket_balance(line)
                continue
            if match := _ARRAY_HEADER.match(line):
                parts = _split(match.group(1))
                key = (*resolve(parts[:-1]), parts[-1])
                arrays[key] = arrays.get(key, 0) + 1
                table = (*key, arrays[key] - 1)
                self._record(table, number)
            elif match := _TABLE_HEADER.match(line):
                table = tuple(resolve(_split(match.group(1))))
                self._record(table, number)
            elif match := _KEY.match(line):
                self._record((*table, *_split(match.group(1))), number)
                value = match.group(2).strip()
                for delimiter in ('"""', "'''"):
                    if value.startswith(delimiter) and value.count(delimiter) == 1:
                        closing = delimiter
                if closing is None:
                    depth = max(_bracket_balance(value), 0)

    def _record(self, path: Path, number: int) -> None:
        self.by_line[number] = path
        for end in range(1, len(path) + 1):
            self.first.setdefault(path[:end], number)

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, else of its longest defined prefix (None if none).

        Parameters
        ----------
        path : tuple of str or int
            A key path (array-of-tables positions as integers).

        Returns
        -------
        int or None
            The 1-based line.
        """
        for end in range(len(path), 0, -1):
            if path[:end] in self.first:
                return self.first[path[:end]]
        return None

    def path_at(self, line: int) -> Path:
        """The key or table defined on ``line``, else the last one before it.

        Parameters
        ----------
        line : int
            A 1-based line.

        Returns
        -------
        tuple of str or int
            Its path (empty when nothing is defined up to that line).
        """
        for number in range(line, 0, -1):
            if number in self.by_line:
                return self.by_line[number]
        return ()


def _bracket_balance(text: str) -> int:
    """Opening minus closing brackets and braces, outside strings and comments."""
    code = _STRINGS.sub("", text).split("#", 1)[0]
    return code.count("[") + code.count("{") - code.count("]") - code.count("}")


def syntax_error_line(error: tomllib.TOMLDecodeError, text: str) -> tuple[int | None, str]:
    """The line of a ``tomllib`` syntax error and its message without the position.

    Parameters
    ----------
    error : tomllib.TOMLDecodeError
        The error.
    text : str
        The text that failed (for an error at its end).

    Returns
    -------
    line : int or None
        The 1-based line (None when the message gives none).
    message : str
        The message, its position reduced to the column.
    """
    message = str(error)
    if match := _SYNTAX_LINE.search(message):
        line, column = int(match.group(1)), int(match.group(2))
        return line, _SYNTAX_LINE.sub(f"(column {column})", message)
    if "end of document" in message:
        return max(len(text.splitlines()), 1), message
    return None, message
