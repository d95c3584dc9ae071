"""Worker operation of the Points panel that reads a CSV file of points.

The file is parsed with the standard library's :mod:`csv` module, not a hand-written
split: one delimiter per file (comma, semicolon, tab or whitespace), quoted fields, a
byte-order mark, any line ending, exponents and an optional header. When the delimiter
is not a comma, a decimal comma is read as a decimal point (``1,5;2,5`` is the point
(1.5, 2.5), as a spreadsheet in a comma-decimal locale writes it). Numbers are parsed by
:func:`float`, so they keep their full float64 precision.

:func:`csv.Sniffer` alone guesses wrong on files people have (``1,5 2,5`` is taken as
comma-separated; ``1.5 2.5`` with runs of spaces raises): its guess is only tried first,
and every candidate delimiter is checked on the first lines, the one that reads them as
a table of numbers winning.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

Record = dict[str, Any]

#: the most points the panel holds (its "Points" field allows as many)
MAX_POINTS = 200_000
#: delimiter -> the name a person knows it by
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", " ": "whitespace"}
#: lines read to choose the delimiter
SAMPLE_LINES = 64

_DECIMAL_COMMA = re.compile(r"[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?")


class CsvFormatError(ValueError):
    """A file that cannot be read as points; ``line`` and ``column`` count from 1."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


def _number(cell: str, decimal_comma: bool) -> float | None:
    """The finite number a person means by ``cell``, or None when it is not one."""
    text = cell.strip()
    try:
        value = float(text)
    except ValueError:
        # "1,5" is 1.5 where the comma is not the delimiter; "1.234,5" is refused
        if not (decimal_comma and _DECIMAL_COMMA.fullmatch(text)):
            return None
        value = float(text.replace(",", "."))
    # float() also takes "nan", "inf" and "1_000", which no person means as a coordinate
    if not math.isfinite(value) or "_" in text:
        return None
    return value


def _reader(text: str, delimiter: str) -> Any:
    """A :func:`csv.reader` of the file's rows for ``delimiter``."""
    if delimiter == " ":
        # any run of spaces and tabs separates; leading and trailing ones do not
        lines: Iterable[str] = (line.strip().replace("\t", " ") for line in
                                io.StringIO(text, newline=None))
        return csv.reader(lines, delimiter=" ", skipinitialspace=True, strict=True)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                      skipinitialspace=True, strict=True)


def _kept(fields: list[str]) -> bool:
    """Not a blank line, not a "#" comment."""
    return bool(fields) and (len(fields) > 1 or bool(fields[0].strip())) and (
        "#" not in fields[0] or not fields[0].lstrip().startswith("#"))


def _invalid(err: csv.Error, line: int) -> CsvFormatError:
    return CsvFormatError(f"Line {line} is not valid CSV ({err}). Check the quotes on that "
                          "line: each opening quote needs a closing one.", line=line)


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each row that is not blank and not a "#" comment."""
    reader = _reader(text, delimiter)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:  # e.g. a quote left open
            raise _invalid(err, reader.line_num) from None
        if _kept(fields):
            yield reader.line_num, fields


def _read(text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """Every row of the file and its line number (blank and comment lines left out)."""
    reader = _reader(text, delimiter)
    try:
        rows = list(reader)
    except csv.Error as err:
        raise _invalid(err, reader.line_num) from None
    if reader.line_num != len(rows):  # a quoted field spans lines: count them one by one
        pairs = list(_rows(text, delimiter))
        return [fields for _, fields in pairs], [line for line, _ in pairs]
    widths = list(map(len, rows))  # at C speed: the common file needs no per-row look
    if rows and min(widths) == max(widths) >= 2 and "#" not in text:
        return rows, list(range(1, len(rows) + 1))
    keep = [i for i, fields in enumerate(rows) if _kept(fields)]
    return [rows[i] for i in keep], [i + 1 for i in keep]


def _is_header(fields: list[str], decimal_comma: bool) -> bool:
    """A header row names its columns: none of its cells is a number."""
    return all(_number(cell, decimal_comma) is None for cell in fields)


def _score(text: str, delimiter: str) -> tuple[int, int]:
    """How well ``delimiter`` reads the first lines: (numeric rows of the first row's
    width, that width), for rows of at least two columns."""
    decimal_comma = delimiter != ","
    width, good = 0, 0
    try:
        for i, (_, fields) in enumerate(_rows(text, delimiter)):
            if i >= SAMPLE_LINES:
                break
            if i == 0 and _is_header(fields, decimal_comma):
                continue
            if not width:
                width = len(fields)
            if width >= 2 and len(fields) == width and all(
                _number(cell, decimal_comma) is not None for cell in fields
            ):
                good += 1
    except CsvFormatError:
        pass  # quotes this delimiter cannot read: the rows read so far count
    return good, width if width >= 2 else 0


def _choose_delimiter(text: str) -> str:
    """The delimiter that reads the first lines as a table of at least two numbers."""
    candidates = list(DELIMITERS)
    try:
        sample = "".join(itertools.islice(io.StringIO(text), SAMPLE_LINES))
        guess = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
        candidates.remove(guess)
        candidates.insert(0, guess)
    except csv.Error:
        pass  # no guess: every candidate is tried in the order of DELIMITERS
    # max() keeps the first of equals: the sniffer's guess, then comma, semicolon, ...
    return max(candidates, key=lambda d: _score(text, d))


def _column_name(header: list[str] | None, j: int) -> str:
    name = header[j].strip() if header and header[j].strip() else ""
    return f'column {j + 1} ("{name}")' if name else f"column {j + 1}"


def _column(cells: list[str], decimal_comma: bool,
            underscores: bool) -> tuple[np.ndarray, int | None]:
    """The column's numbers (NaN where a cell is not one) and the row of its first
    non-number, or None when every cell is one."""
    if decimal_comma:
        cells_read = [cell.replace(",", ".") for cell in cells]
    else:
        cells_read = cells
    try:
        # the common case at C speed: every cell a plain number
        values = np.fromiter(map(float, cells_read), np.float64, len(cells))
        if np.isfinite(values).all() and not (underscores and any("_" in c for c in cells)):
            return values, None
    except ValueError:
        pass
    numbers = [_number(cell, decimal_comma) for cell in cells]
    first = next(i for i, v in enumerate(numbers) if v is None)
    return np.array([math.nan if v is None else v for v in numbers]), first


def _parse(text: str) -> Record:
    """Read ``text`` as a table of numbers; raises :class:`CsvFormatError`."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise CsvFormatError("The file is empty. Each line needs two numbers, x and y.")
    delimiter = _choose_delimiter(text)
    decimal_comma = delimiter != ","
    where = f"the file is {DELIMITERS[delimiter]}-separated"
    rows, lines = _read(text, delimiter)
    width = len(rows[0]) if rows else 0
    header = rows[0] if rows and _is_header(rows[0], decimal_comma) else None
    start = 1 if header is not None else 0
    for i in range(start, len(rows)):
        if len(rows[i]) != width:
            n = len(rows[i])
            raise CsvFormatError(
                f"Line {lines[i]} has {n} value{'s' * (n != 1)} where line {lines[0]} has "
                f"{width} ({where}). Give every line the same number of values.",
                line=lines[i])
    n_rows = len(rows) - start
    if n_rows > MAX_POINTS:
        raise CsvFormatError(
            f"The file has more than {MAX_POINTS:,} points, the most the panel holds. "
            "Keep at most that many lines.", line=lines[start + MAX_POINTS])
    if not n_rows:
        raise CsvFormatError("The file has a header but no points below it. Each line "
                             "needs two numbers, x and y.")
    if width < 2:
        raise CsvFormatError(
            "The file has one column. Each line needs two numbers, x and y, separated by "
            "a comma, semicolon, tab or spaces.")
    data = rows[start:]
    columns, first_bad = [], []
    for j in range(width):
        values, bad_row = _column([row[j] for row in data], decimal_comma, "_" in text)
        columns.append(values)
        first_bad.append(None if bad_row is None else start + bad_row)
    # A column with no number at all (labels, names) is left out; one with a few text
    # cells among numbers is a mistake in the file, refused at its first such cell.
    numeric = [j for j in range(width) if first_bad[j] is None]
    text_only = [j for j in range(width) if first_bad[j] is not None
                 and np.isnan(columns[j]).all()]
    mixed = [j for j in range(width) if first_bad[j] is not None and j not in text_only]
    bad = min(mixed or (text_only if len(numeric) < 2 else []),
              key=lambda j: (first_bad[j], j), default=None)
    if bad is not None:
        line, shown = lines[first_bad[bad]], rows[first_bad[bad]][bad].strip()[:40]
        what = f'has "{shown}", which is not a number' if shown else "is empty"
        raise CsvFormatError(
            f"Line {line}, {_column_name(header, bad)} {what} ({where}). Each value must "
            "be a number such as 1.5, -2 or 3e-4" + (", or 1,5 with a decimal comma"
                                                      if decimal_comma else "") + ".",
            line=line, column=bad + 1)
    values = np.column_stack([columns[j] for j in numeric])
    names = [header[j].strip() if header and header[j].strip() else f"column {j + 1}"
             for j in numeric]
    used_comma = decimal_comma and any("," in row[j] for row in data for j in numeric)
    return {
        "values": values,
        "points": np.ascontiguousarray(values[:, :2]),
        "n_points": n_rows,
        "columns": names,
        "column_numbers": [j + 1 for j in numeric],
        "ignored": [_column_name(header, j) for j in text_only],
        "header": header is not None,
        "delimiter": DELIMITERS[delimiter],
        "decimal_comma": bool(used_comma),
    }


def points_parse_csv(text: str) -> Record:
    """Points from the text of a CSV file, or the reason it cannot be read.

    Returns ``{"values": float64 (n, c), "points": float64 (n, 2) of the first two
    numeric columns, "n_points": n, "columns": c names, "column_numbers": their 1-based
    places in the file, "ignored": names of all-text columns left out, "header": bool,
    "delimiter": "comma" | "semicolon" | "tab" | "whitespace", "decimal_comma": bool}``,
    or, for a file that cannot be read, ``{"error": message, "line": int | None,
    "column": int | None}``, the message naming the line and column and what to do.
    Numbers are read by :func:`float` (correctly rounded), never rounded further.
    Compare ``pandas.read_csv(sep=None, decimal=",")``, which also sniffs the delimiter.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}.")
    try:
        return _parse(text)
    except CsvFormatError as err:
        return {"error": str(err), "line": err.line, "column": err.column}
