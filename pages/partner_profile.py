"""Partner profile (/partner_profile?id=12): the public, vendor-neutral competency profile.

Claims next to evidence, certifications by vendor, business services (direct or through an
ally), where the partner works, freshness, and a contact form that creates a lead.
Everything a visitor or a partner typed is escaped before Markdown renders it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import altair as alt
import pandas as pd
import streamlit as st
from sqlmodel import Session
from streamlit_folium import st_folium

from core.analytics.responsiveness import responsiveness_lines
from core.directory.public_profile import PublicProfile, load_public_profile
from core.formatting import company_sizes, escape_markdown, is_ascii_whole_number
from core.geo.states import STATE_NAMES
from core.maps.build import build_partner_area_map
from core.partner_attributes import get_attributes
from core.search.text import claim_and_evidence, flag_text, freshness_text, level_word, radius_text
from core.taxonomy import get_taxonomy
from pages import get_engine, setup_page
from pages.parts.contact import contact_form, show_contact_notice
from pages.parts.profile_reviews import render_alliances, render_reviews

setup_page("Partner profile", "🏢")
taxonomy = get_taxonomy()
ss = st.session_state
LEVEL_NAMES = [lv.label for lv in taxonomy.levels]


def back_to_search() -> None:
    params = ss.get("last_search_params")
    label = "Back to your search" if params else "Find partners"
    st.page_link("pages/find_partners.py", label=label, icon="🔎", query_params=params or {})


def stop_with(kind: str, message: str) -> None:
    getattr(st, kind)(message)
    back_to_search()
    st.stop()


raw_id = st.query_params.get("id", "").strip()
if not raw_id:
    stop_with("info", "Choose a partner in the search to see its profile.")
if not is_ascii_whole_number(raw_id):  # not isdigit(): "²" is a digit to Python
    stop_with("error", "This link does not name a partner: the id must be a number, like ?id=12.")
with Session(get_engine()) as db:
    profile = load_public_profile(session=db, partner_id=int(raw_id), today=date.today())
if profile is None:
    stop_with("warning", f"There is no partner number {raw_id} in the directory (any more).")
assert profile is not None  # for the type checker: stop_with() stopped otherwise
# The browser tab (and a bookmark) names the partner; a title is plain text, never markup.
st.set_page_config(page_title=f"{profile.name} · Partner Atlas", page_icon="🏢", layout="wide")
now = datetime.now(UTC)


def competency_chart(p: PublicProfile) -> alt.Chart:
    """Claimed and evidenced level per area, side by side, in taxonomy order."""
    rows = []
    for area in p.areas:
        group = taxonomy.group_labels[area.group]
        for kind, level in (("Claimed", area.claimed), ("Certified", area.evidenced)):
            rows.append(
                {"Area": area.label, "Group": group, "Kind": kind, "Level": level,
                 "Level name": LEVEL_NAMES[level]}
            )  # fmt: skip
    order = [a.label for a in p.areas]
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=alt.Y("Area:N", sort=order, title=None, axis=alt.Axis(labelLimit=180)),
            yOffset=alt.YOffset("Kind:N", sort=["Claimed", "Certified"]),
            x=alt.X(
                "Level:Q",
                scale=alt.Scale(domain=[0, 3]),
                title=None,
                axis=alt.Axis(
                    values=[0, 1, 2, 3],
                    labelExpr=f"{json.dumps(LEVEL_NAMES)}[datum.value]",
                ),
            ),
            color=alt.Color(
                "Kind:N",
                scale=alt.Scale(domain=["Claimed", "Certified"], range=["#9ecbff", "#1f6feb"]),
                legend=alt.Legend(orient="top", title=None),
            ),
            tooltip=["Area", "Group", "Kind", "Level name"],
        )
        .properties(height=len(order) * 30)
    )


def render_certifications(p: PublicProfile) -> None:
    st.subheader("Certifications", anchor=False)
    if not p.vendors:
        st.caption("No approved certifications yet: every level on this profile is self-assessed.")
        return
    for vendor in p.vendors:
        lines = []
        for cert in vendor.certifications:
            areas = ", ".join(
                f"{taxonomy.area_label(k)} ({level_word(v)})" for k, v in cert.evidences.items()
            )
            if cert.expired:
                status = f"❌ expired {cert.expires_on:%b %d, %Y} – no longer counts"
            elif cert.expires_on is None:
                status = "no expiry"
            else:
                status = (
                    "⏳ " if cert.expires_soon else ""
                ) + f"valid until {cert.expires_on:%b %d, %Y}"
            lines.append(
                f"- **{escape_markdown(cert.name)}** · {escape_markdown(areas)} · "
                f"{escape_markdown(status)}"
            )
        st.markdown(f"**{escape_markdown(vendor.vendor)}**\n" + "\n".join(lines))


def render_services(p: PublicProfile) -> None:
    st.subheader("Business services", anchor=False)
    if not p.services:
        st.caption("No business services listed.")
        return
    for area in p.services:
        how = f"through ally {escape_markdown(area.ally_name)}" if area.ally_name else "directly"
        st.markdown(
            f"**{escape_markdown(area.label)}**: "
            f"{escape_markdown(claim_and_evidence(area.claimed, area.evidenced))}, {how}"
        )


def render_where(p: PublicProfile) -> None:
    st.subheader("Where it works", anchor=False)
    for loc in p.locations:
        marker = "🏢 Headquarters" if loc.is_headquarters else "📍 Office"
        st.markdown(f"{marker}: {escape_markdown(loc.label)}")
    if p.service_radius_km:
        st.markdown(f"Travels up to {escape_markdown(radius_text(p.service_radius_km))}.")
    if p.states_served:
        names = ", ".join(STATE_NAMES.get(s, s) for s in p.states_served)
        st.markdown(f"Serves all of: {escape_markdown(names)}.")
    if p.locations or p.states_served:
        area_map = build_partner_area_map(
            locations=[(loc.latitude, loc.longitude, loc.label) for loc in p.locations],
            service_radius_km=p.service_radius_km,
            states_served=p.states_served,
        )
        st_folium(
            area_map,
            height=300,
            returned_objects=[],
            use_container_width=True,
            key=f"profile_map_{p.partner_id}",
        )


def render_contact_form(p: PublicProfile) -> None:
    st.subheader(f"Ask {escape_markdown(p.name)} to contact you", anchor=False)
    sent_key = f"contact_sent_{p.partner_id}"
    if sent_key in ss:
        sent = ss[sent_key]
        st.success(
            "Your request was sent. What happens next: the partner is notified and answers "
            "you by email; we sent you a confirmation, and in 3 days we will ask you whether "
            "they contacted you. Your details go to this partner only.",
            icon="✅",
        )
        show_contact_notice()
        st.text(f"To: {p.name}\nFrom: {sent['contact_name']} <{sent['contact_email']}>")
        st.text(sent["message"] or "(no message)")
        if st.button("Send another request"):
            del ss[sent_key]
            st.rerun()
        return
    searched = ss.get("last_search_params", {}).get("needs", "")
    request = contact_form(
        form_key="contact_form",
        partner_ids=[p.partner_id],
        team=False,
        default_needs=[k for k in searched.split(",") if k in taxonomy.area_keys],
        button_label="Send request",
        message_placeholder="A few words about your business and the project.",
    )
    if request is not None:
        ss[sent_key] = request.model_dump()
        st.rerun()


def render_attributes(profile: PublicProfile) -> None:
    """Industries served, languages, delivery and whether it takes new clients."""
    attributes = get_attributes()
    lines = [
        "**Accepting new clients**" if profile.accepting_new_clients
        else "**Not taking new clients at the moment**"
    ]  # fmt: skip
    if profile.industries:
        named = ", ".join(attributes.industry_label(k) for k in profile.industries)
        lines.append(f"**Industries served:** {escape_markdown(named)}")
    if profile.languages:
        named = ", ".join(attributes.language_label(k) for k in profile.languages)
        lines.append(f"**Languages:** {escape_markdown(named)}")
    if profile.delivery:
        lines.append(
            f"**Delivery:** {escape_markdown(attributes.delivery_label(profile.delivery))}"
        )
    st.markdown("  \n".join(lines))


# ---- the page --------------------------------------------------------------------------

back_to_search()
st.header(escape_markdown(profile.name), anchor=False)
hq = profile.headquarters
facts = [hq.label if hq else "No office listed", freshness_text(profile.updated_at,
         profile.verified_at, now=now, confirmed_at=profile.confirmed_at)]  # fmt: skip
st.caption(" · ".join(escape_markdown(f) for f in facts))
backed, claims = profile.claims_backed
if claims:
    st.markdown(f"**{backed} of {claims} claims backed by certifications**",
                help="Claimed areas a certification can prove, and of them those that "
                "approved, unexpired certifications prove at the claimed level.")  # fmt: skip
if profile.description:
    st.markdown(escape_markdown(profile.description))

certified = sum(a.evidenced >= 2 for a in profile.areas)
with st.container(horizontal=True, gap="small"):  # wraps two by two on a phone
    for label, value, explained in (
        ("Areas ≥ proficient", profile.breadth, "Areas claimed or certified at proficient+"),
        ("Certified areas", certified, "Areas certifications prove at proficient or better"),
        ("Certifications", profile.valid_certification_count, "Approved and not expired"),
        ("Flagged claims", len(profile.flagged), "Claims two levels above what is proven"),
    ):
        st.metric(label, value, help=explained, width=160, border=True)

main, side = st.columns([3, 2], gap="large")
with main:
    st.subheader("Competencies: claimed and certified", anchor=False)
    st.altair_chart(competency_chart(profile), width="stretch")
    if profile.flagged:
        st.warning(
            "Claims well above the evidence:\n"
            + "\n".join(
                f"- {escape_markdown(flag_text(a.key, a.claimed, a.evidenced))}"
                for a in profile.flagged
            ),
            icon="⚠️",
        )
    render_certifications(profile)
    render_reviews(profile.partner_id)
with side:
    st.subheader("Responsiveness", anchor=False)
    st.markdown(
        "  \n".join(escape_markdown(line) for line in responsiveness_lines(profile.responsiveness))
    )
    st.subheader("Contact", anchor=False)
    if profile.website:
        st.link_button("Website", profile.website, icon="🌐")
    if profile.email:
        st.text(f"Email: {profile.email}")
    if profile.phone:
        st.text(f"Phone: {profile.phone}")
    if profile.segments:
        sizes = company_sizes(profile.segments)
        st.markdown(f"**Serves companies of** {escape_markdown(sizes)}")
    render_attributes(profile)
    render_services(profile)
    render_alliances(profile.partner_id)
    render_where(profile)

with st.container(border=True):
    render_contact_form(profile)
