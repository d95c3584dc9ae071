"""CSV import of the Points panel: each dialect a person's file comes in, read as the
numbers the person means, and every refusal naming its line and column."""

from __future__ import annotations

import numpy as np
import pytest

from kmeanslab.app import OPERATIONS
from kmeanslab.app.points_io import MAX_POINTS, points_parse_csv


def points(text: str) -> np.ndarray:
    result = points_parse_csv(text)
    assert "error" not in result, result
    return result["points"]


def error(text: str) -> dict:
    result = points_parse_csv(text)
    assert "error" in result, result
    return result


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("x;y\n1,5;2,5\n3;4,25\n", "semicolon"),  # a comma-decimal spreadsheet's export
        ('"1.5","2.5"\n"3","4.25"\n', "comma"),
        ("\ufeffx,y\n1.5,2.5\n3,4.25\n", "comma"),  # BOM
        ("x,y\r\n1.5,2.5\r\n3,4.25\r\n", "comma"),  # CRLF
        ("x,y\r1.5,2.5\r3,4.25", "comma"),  # old Mac line ends, no final one
        ("x\ty\n1.5\t2.5\n3\t4.25\n", "tab"),
        ("x\ty\n1,5\t2,5\n3\t4,25\n", "tab"),
        ("  1.5   2.5\n3 \t 4.25  \n", "whitespace"),
        ("1,5 2,5\n3 4,25\n", "whitespace"),
        ("# made by hand\n\nx, y\n1.5, 2.5\n\n3, 4.25\n", "comma"),
        ('"x";"y"\n"1,5";"2,5"\n"3";"4,25"\n', "semicolon"),
    ],
)
def test_dialects_read_as_the_numbers_meant(text, delimiter):
    result = points_parse_csv(text)
    assert result["delimiter"] == delimiter
    np.testing.assert_array_equal(result["points"], [[1.5, 2.5], [3.0, 4.25]])
    assert result["points"].dtype == np.float64


def test_semicolon_and_decimal_comma_is_the_spreadsheet_point():
    result = points_parse_csv("x;y\n1,5;2,5\n")
    np.testing.assert_array_equal(result["points"], [[1.5, 2.5]])
    assert result["header"] is True and result["decimal_comma"] is True
    assert result["columns"] == ["x", "y"]


def test_exponents_and_full_precision():
    values = [0.644, 1e-3, -2.5e10, 0.1 + 0.2, 1 / 3, 5e-324, 1.7976931348623157e308]
    text = "".join(f"{v!r},{-v!r}\n" for v in values) + "1E-3,+2.E2\n"
    got = points(text)
    expected = [[v, -v] for v in values] + [[1e-3, 200.0]]
    assert got.tolist() == expected  # bit for bit: nothing rounded


def test_a_header_is_optional():
    assert points("1,2\n3,4\n").tolist() == [[1, 2], [3, 4]]
    result = points_parse_csv("lon,lat\n1,2\n")
    assert result["header"] is True and result["columns"] == ["lon", "lat"]


def test_extra_numeric_columns_are_all_returned_to_choose_from():
    result = points_parse_csv("a;b;c\n1;2;3,5\n4;5;6\n")
    assert result["columns"] == ["a", "b", "c"]
    assert result["values"].tolist() == [[1, 2, 3.5], [4, 5, 6]]
    assert result["points"].tolist() == [[1, 2], [4, 5]]


def test_an_all_text_column_is_left_out_and_named():
    result = points_parse_csv("name,x,y\nA,1,2\nB,3,4\n")
    assert result["points"].tolist() == [[1, 2], [3, 4]]
    assert result["ignored"] == ['column 1 ("name")']
    assert result["column_numbers"] == [2, 3]


def test_a_ragged_row_is_refused_naming_its_line():
    err = error("x,y\n1,2\n3,4\n5\n6,7\n")
    assert err["line"] == 4
    assert err["error"].startswith("Line 4 has 1 value where line 1 has 2")


def test_a_text_cell_is_refused_naming_line_and_column():
    err = error("x,y\n1,2\n3,oops\n")
    assert (err["line"], err["column"]) == (3, 2)
    assert err["error"].startswith('Line 3, column 2 ("y") has "oops", which is not a number')


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("1,2\n3,\n", 2, 2),  # an empty cell
        ("1;2\n3;nan\n", 2, 2),  # not finite
        ("1,2\n1_000,2\n", 2, 1),
        ("1;2\n1.234,5;2\n", 2, 1),  # thousands separators are not guessed at
        ("x,y\n1,oops\n", 2, 2),  # the only other column is text: too few numbers
    ],
)
def test_other_refusals_name_line_and_column(text, line, column):
    err = error(text)
    assert (err["line"], err["column"]) == (line, column)
    assert err["error"].startswith(f"Line {line}, column {column}")


@pytest.mark.parametrize(
    ("text", "start"),
    [("", "The file is empty"), ("1\n2\n", "The file has one column"),
     ("x,y\n", "The file has a header but no points"), ('1,2\n"3,4\n', "Line 2 is not valid CSV")],
)
def test_files_without_points_are_refused(text, start):
    assert error(text)["error"].startswith(start)


def test_too_many_points_are_refused():
    err = error("1,2\n" * (MAX_POINTS + 1))
    assert err["line"] == MAX_POINTS + 1 and "200,000" in err["error"]


def test_the_operation_is_registered_and_lazy():
    result = OPERATIONS["points_parse_csv"](text="1;2,5\n")
    assert result["points"].tolist() == [[1.0, 2.5]]
    with pytest.raises(TypeError, match="text must be a str"):
        points_parse_csv(b"1,2")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,5 2,5\n3,5 4,5\n", [[1.5, 2.5], [3.5, 4.5]]),
     ("1;2,5\n3;4,5\n", [[1, 2.5], [3, 4.5]]),
     ("1.5  2.5\n  3.5   4.5\n", [[1.5, 2.5], [3.5, 4.5]])],
)
def test_files_the_sniffer_alone_misreads(text, expected):
    # csv.Sniffer takes the first two as comma-separated and gives up on the third
    assert points(text).tolist() == expected
