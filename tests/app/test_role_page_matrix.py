"""Every page × anonymous, partner A, partner B, vendor, admin.

Two ways in: through app.py's navigation (a role only gets its own pages), and as a deep
link that runs the page file on its own (app.py skipped). Allowed pages render without an
exception; restricted pages show the sign-in prompt or the refusal and no data.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core.db import session_scope
from core.leads.lifecycle import submit_contact_request
from core.models import ContactRequest, Lead, Partner
from tests.app.conftest import (
    ROLES,
    AtlasDb,
    all_page_files,
    assert_no_exception,
    open_app,
    open_deep_link,
    page_text,
)

PUBLIC = {
    "home.py",
    "find_partners.py",
    "team_builder.py",
    "regional_map.py",
    "compare_partners.py",
    "partner_profile.py",
    "sign_in.py",
    "email_link.py",
    "profile_confirm.py",
    "review.py",
}
SIGNED_IN = {"account.py", "complementary_partners.py"}
ALLOWED: dict[str, set[str]] = {
    "anonymous": PUBLIC,
    "partner_a": PUBLIC
    | SIGNED_IN
    | {"my_profile.py", "my_leads.py", "my_programs.py", "my_standing.py"},
    "partner_b": PUBLIC
    | SIGNED_IN
    | {"my_profile.py", "my_leads.py", "my_programs.py", "my_standing.py"},
    "vendor": PUBLIC | SIGNED_IN | {"vendor_region.py", "my_program.py"},
    "admin": PUBLIC
    | SIGNED_IN
    | {
        "vendor_region.py",
        "my_program.py",
        "my_programs.py",
        "my_standing.py",
        "admin_accounts.py",
        "admin_approvals.py",
        "admin_audit.py",
        "admin_data.py",
        "admin_outbox.py",
        "admin_reviews.py",
    },
}
# In the navigation the sign-in page is offered to anonymous visitors only.
NAVIGABLE = {
    role: pages - ({"sign_in.py"} if role != "anonymous" else set())
    for role, pages in ALLOWED.items()
}
PAGES = all_page_files()
SIGN_IN_PROMPT = "Please sign in to continue"
REFUSAL = "does not have access to this page"


def rendered_text(at: AppTest) -> str:
    """The page's text, once it is known to have rendered without an exception."""
    assert_no_exception(at)
    return page_text(at)


def assert_let_in(text: str) -> None:
    """Neither the sign-in prompt nor the refusal: the page showed its own content."""
    assert REFUSAL not in text and SIGN_IN_PROMPT not in text


def test_the_matrix_covers_every_page_file() -> None:
    known = set().union(*ALLOWED.values()) | {"my_profile.py"}
    assert set(PAGES) == known, f"pages without an expectation: {set(PAGES) ^ known}"


@pytest.mark.parametrize("role", ROLES)
def test_sidebar_menu_offers_exactly_the_pages_of_the_role(
    shared_atlas_db: AtlasDb, role: str
) -> None:
    at = open_app(shared_atlas_db, as_=role)
    assert_no_exception(at)
    offered = {str(link.proto.page).rsplit("/", 1)[-1] for link in at.sidebar.get("page_link")}
    stems = {name.removesuffix(".py") for name in NAVIGABLE[role]}
    # AppTest names a link's target by URL path or file stem; map both to file names.
    by_url = {
        "": "home",  # the default page links to the site root
        "find": "find_partners",
        "teams": "team_builder",
        "map": "regional_map",
        "compare": "compare_partners",
        "sign-in": "sign_in",
        "my-profile": "my_profile",
        "my-leads": "my_leads",
        "my-programs": "my_programs",
        "complements": "complementary_partners",
        "region": "vendor_region",
        "accounts": "admin_accounts",
        "approvals": "admin_approvals",
        "audit": "admin_audit",
        "data": "admin_data",
    }
    # The partner profile is reached from results, the email-link and confirmation pages from
    # emails: not from menus.
    assert {by_url.get(p, p) for p in offered} == stems - {
        "partner_profile",
        "email_link",
        "profile_confirm",
        "review",
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_routable_so_its_own_check_answers_deep_links(
    shared_atlas_db: AtlasDb, role: str
) -> None:
    at = open_app(shared_atlas_db, as_=role)
    for page in PAGES:
        at.switch_page(f"pages/{page}")  # raises ValueError for a page the app does not route


@pytest.mark.parametrize(
    ("page", "role"), [(page, role) for role in ROLES for page in sorted(NAVIGABLE[role])]
)
def test_page_through_navigation_renders_for_its_roles(
    shared_atlas_db: AtlasDb, page: str, role: str
) -> None:
    assert_let_in(rendered_text(open_app(shared_atlas_db, page, as_=role)))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_deep_link_checks_access_on_the_page_itself(
    shared_atlas_db: AtlasDb, page: str, role: str
) -> None:
    at = open_deep_link(shared_atlas_db, page, as_=role)
    text = rendered_text(at)
    if page in ALLOWED[role]:
        assert_let_in(text)
        return
    assert (SIGN_IN_PROMPT if role == "anonymous" else REFUSAL) in text
    # No data: nothing beyond the title and the prompt.
    assert len(at.dataframe) == 0 and len(at.table) == 0 and len(at.metric) == 0
    assert len(at.text_input) == 0 and len(at.text_area) == 0 and len(at.selectbox) == 0
    assert len(at.button) == 0 and len(at.text) == 0


def test_partner_a_editor_never_shows_partner_b(shared_atlas_db: AtlasDb) -> None:
    db = shared_atlas_db
    with Session(db.engine) as session:
        name_a = session.get(Partner, db.partner_a).name  # type: ignore[union-attr]
        name_b = session.get(Partner, db.partner_b).name  # type: ignore[union-attr]
    for role, own, other in (("partner_a", name_a, name_b), ("partner_b", name_b, name_a)):
        for at in (
            open_app(db, "my_profile.py", as_=role),
            open_deep_link(db, "my_profile.py", role),
        ):
            assert_no_exception(at)
            names = [w.value for w in at.text_input if w.label == "Company name"]
            assert names == [own]
            assert other not in page_text(at)


def test_partner_a_inbox_never_shows_partner_b_leads(shared_atlas_db: AtlasDb) -> None:
    db = shared_atlas_db
    with session_scope(db.engine) as session:
        for partner_id, email in ((db.partner_a, "a-lead"), (db.partner_b, "b-lead")):
            submit_contact_request(
                session=session,
                partner_id=partner_id,
                request=ContactRequest(
                    contact_name=f"Contact of {email}",
                    contact_email=f"{email}@example.com",
                    company_size="1-10",
                    needs=["networking"],
                ),
            )
    with Session(db.engine) as session:
        own = {
            lead.id for lead in session.exec(select(Lead).where(Lead.partner_id == db.partner_a))
        }
        other_emails = set(
            session.exec(select(Lead.contact_email).where(Lead.partner_id == db.partner_b))
        ) - set(session.exec(select(Lead.contact_email).where(Lead.partner_id == db.partner_a)))
    assert "b-lead@example.com" in other_emails
    for at in (
        open_app(db, "my_leads.py", as_="partner_a"),
        open_deep_link(db, "my_leads.py", "partner_a"),
    ):
        assert_no_exception(at)
        shown = set(at.dataframe[0].value["Lead"])
        assert shown and shown <= own
        text = page_text(at)
        assert not [email for email in other_emails if email in text]
