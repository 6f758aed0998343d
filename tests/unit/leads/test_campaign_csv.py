"""Reading campaign responses: pure parsing, no database."""

from __future__ import annotations

from core.leads.campaign_csv import MAX_ROWS, parse_campaign_csv, parse_row

HEADER = "company,contact_name,contact_email,zip,company_size,needs\n"


def test_a_good_row_is_cleaned_and_its_needs_split_in_taxonomy_order() -> None:
    parsed = parse_campaign_csv(
        "\ufeff"
        + HEADER
        + " Acme\x07 Inc ,Dana Lee,Dana@Example.COM,78701,11-50,security; networking\n"
    )
    assert parsed.errors == [] and parsed.read == 1
    line, row = parsed.rows[0]
    assert line == 2
    assert (row.company, row.contact_email, row.needs) == (
        "Acme Inc", "Dana@example.com", ["networking", "security"],
    )  # fmt: skip


def test_columns_may_come_in_any_order_and_blank_lines_are_skipped() -> None:
    text = (
        "needs,zip,company,contact_email,company_size,contact_name\n"
        "\n"
        "cloud,10001,Acme,a@b.com,1-10,Jo Li\n"
    )
    parsed = parse_campaign_csv(text)
    assert [line for line, _ in parsed.rows] == [3] and parsed.read == 1


def test_a_quoted_value_spanning_lines_keeps_the_line_its_record_starts_on() -> None:
    text = (
        HEADER
        + '"Two\nLines Co",Jo Li,jo@x.com,123,1-10,cloud\nB Co,Al Bo,al@x.com,10001,1-10,cloud\n'
    )
    parsed = parse_campaign_csv(text)
    assert [(e.line, e.column) for e in parsed.errors] == [(2, "zip")]
    assert "leading zeros: use 00123" in parsed.errors[0].reason
    assert [line for line, _ in parsed.rows] == [4]


def test_every_problem_of_a_row_is_named_by_column() -> None:
    row, errors = parse_row(
        7,
        {"company": "", "contact_name": "J", "contact_email": "", "zip": "abcde",
         "company_size": "", "needs": ""},
    )  # fmt: skip
    assert row is None
    assert {e.column for e in errors} == {
        "company", "contact_name", "contact_email", "zip", "company_size", "needs",
    }  # fmt: skip
    assert all(e.line == 7 for e in errors)
    assert str(errors[0]).startswith("line 7, column company")


def test_a_row_with_too_few_values_is_named() -> None:
    parsed = parse_campaign_csv(HEADER + "Acme,Dana\n")
    assert [(e.line, e.reason) for e in parsed.errors] == [
        (2, "2 values, but the header has 6 columns")
    ]


def test_file_level_problems_are_fatal() -> None:
    assert parse_campaign_csv("").fatal
    assert parse_campaign_csv("company,contact_name\nAcme,Jo Li\n").fatal  # columns missing
    too_many = HEADER + "Acme,Jo Li,jo@x.com,10001,1-10,cloud\n" * (MAX_ROWS + 1)
    parsed = parse_campaign_csv(too_many)
    assert (
        parsed.fatal and parsed.rows == [] and "more than 20,000 rows" in parsed.errors[-1].reason
    )
