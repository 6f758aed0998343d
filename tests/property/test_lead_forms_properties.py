"""Campaign lead CSV files and the anonymous contact form, thrown random input: a parsed
result or plain per-row / per-field messages, never another exception."""

from __future__ import annotations

import csv
import io

from hypothesis import event, given
from hypothesis import strategies as st

from core.interchange.format import RowError
from core.leads.campaign_csv import COLUMNS, parse_campaign_csv
from core.leads.contact_requests import FIELD_LABELS, ContactFormError, parse_contact_form
from core.models import ContactRequest
from core.taxonomy import get_taxonomy

TAXONOMY = get_taxonomy()
AWKWARD = [
    "",
    "78701",
    "00901",
    "²²²²²",
    "٧٨٧٠١",
    "9" * 5000,
    "x" * 20_000,
    '=HYPERLINK("http://evil.example")',
    "a\x00b",
    "name@example.com",
    "not-an-email",
    "security;cloud",
    "security;;nope",
    "1-10",
    'Line one\nline two, "quoted"',
]
cells = st.one_of(st.sampled_from(AWKWARD), st.sampled_from(TAXONOMY.segment_keys), st.text())


@st.composite
def campaign_files(draw: st.DrawFn) -> str:
    header = list(draw(st.permutations(COLUMNS)))
    header = header[: draw(st.integers(0, len(header)))] + draw(
        st.lists(st.sampled_from(["", "company", "extra", "=cmd"]), max_size=1)
    )
    rows = [
        [draw(cells) for _ in range(max(len(header) + draw(st.sampled_from([0, 0, -1, 2])), 0))]
        for _ in range(draw(st.integers(0, 4)))
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    text = buffer.getvalue()
    prefix = draw(st.sampled_from(["", "\ufeff", "\x00", '"']))
    return prefix + text


@given(text=campaign_files())
def test_a_campaign_file_is_parsed_or_refused_row_by_row(text: str) -> None:
    parsed = parse_campaign_csv(text)
    assert all(isinstance(e, RowError) and e.reason and e.line >= 1 for e in parsed.errors)
    if parsed.fatal:
        assert parsed.errors and not parsed.rows
    assert len(parsed.rows) <= parsed.read
    for _, row in parsed.rows:
        assert len(row.zip) == 5 and row.zip.isascii() and row.zip.isdigit()
        assert set(row.needs) <= set(TAXONOMY.area_keys)


form_values = st.one_of(
    st.none(),
    st.text(),
    st.sampled_from(AWKWARD),
    st.integers(),
    st.floats(),
    st.lists(st.one_of(st.text(max_size=10), st.sampled_from(TAXONOMY.area_keys)), max_size=4),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)
VALID_FORM = {
    "contact_name": "Ada Lovelace",
    "contact_email": "ada@example.com",
    "company_size": TAXONOMY.segment_keys[0],
    "needs": [TAXONOMY.area_keys[0]],
    "message": "Hello",
}
any_forms = st.dictionaries(
    st.one_of(st.sampled_from([*FIELD_LABELS, "partner_id", "__class__"]), st.text(max_size=8)),
    form_values,
    max_size=7,
)
# Half the forms are a good one with a few fields spoiled, so both outcomes are exercised.
contact_forms = st.one_of(any_forms, any_forms.map(lambda spoiled: VALID_FORM | spoiled))


@given(values=contact_forms)
def test_a_contact_form_is_a_request_or_messages_for_known_fields(values: dict) -> None:
    try:
        request = parse_contact_form(values)
    except ContactFormError as exc:
        assert exc.errors
        assert set(exc.errors) <= set(FIELD_LABELS), exc.errors
        assert all(isinstance(m, str) and m.strip() for m in exc.errors.values())
    else:
        event("accepted")
        assert isinstance(request, ContactRequest)
        assert set(request.needs) <= set(TAXONOMY.area_keys)
