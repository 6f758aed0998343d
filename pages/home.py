"""Home: what Partner Atlas is, a quick-start search, a few figures, where to go next."""

from __future__ import annotations

import streamlit as st

from core.formatting import escape_markdown
from core.geo.places import UnknownPlaceError, resolve_place
from core.models import ROLE_ADMIN, MaxLength
from core.search.params import query_to_params
from core.search.query import SearchQuery
from core.taxonomy import BUSINESS_SERVICES, TECHNOLOGY, get_taxonomy
from pages import get_index_holder, setup_page

account = setup_page("Home", "🧭")
taxonomy = get_taxonomy()

st.subheader(
    "Find IT partners near you that cover everything your business needs – and see the proof.",
    anchor=False,
)
st.markdown(
    "Partner Atlas is a **vendor-neutral** directory of IT channel partners for small and "
    "medium businesses. Every partner shows, for each technology and business service, the "
    "level it **claims** next to the level its **certifications prove**."
)


def area_choice_label(key: str) -> str:
    area = taxonomy.area(key)
    return f"{area.label} ({taxonomy.group_labels[area.group].lower()})"


with st.form("quick_start", border=True):
    st.markdown("**Start a search**")
    needs_col, place_col = st.columns([2, 1])
    needs = needs_col.multiselect(
        "What do you need?",
        [*taxonomy.technology_keys, *taxonomy.service_keys],
        format_func=area_choice_label,
        placeholder="e.g. Security, Cloud, Financing",
    )
    near = place_col.text_input(
        "Near (ZIP code or City, ST)",
        max_chars=MaxLength.SEARCH_PLACE,
        placeholder="78701 or Austin, TX",
    )
    go = st.form_submit_button("Find partners", type="primary", icon="🔎")

if go:
    try:
        if near.strip():
            resolve_place(near)  # fail here, next to the box, not on the next page
        query = SearchQuery(needs=needs, near=near or None)
    except UnknownPlaceError as exc:
        st.error(escape_markdown(str(exc)), icon="📍")
    else:
        st.switch_page("pages/find_partners.py", query_params=query_to_params(query))

points = st.columns(3)
points[0].markdown(
    "**Vendor-neutral**  \nOne profile across Microsoft, Cisco, HP, Dell, Fortinet, AWS and "
    "more – not one vendor's slice."
)
points[1].markdown(
    "**Evidence, not just claims**  \nCertifications back the levels; claims well above the "
    "evidence are flagged, not hidden."
)
points[2].markdown(
    "**No paid placement**  \nResults rank by your needs, evidence, distance and freshness – "
    "and each result says why."
)


index = get_index_holder().get()
if index.size == 0:  # a new deployment: demo data only comes with ATLAS_DEMO=1
    if account is not None and account.role == ROLE_ADMIN:
        st.info(
            "The directory is empty. Import partners from a CSV file on the **Import & export** "
            "page (a template is there), or on the server with "
            "`python -m core import partners.csv`.",
            icon="📦",
        )
        st.page_link("pages/admin_data.py", label="Import & export", icon="📦")
    else:
        st.info("The directory has no partners yet. Please come back soon.", icon="🧭")
vendor_count = len(taxonomy.vendors)
with st.container(horizontal=True, gap="small"):  # wraps two by two on a phone
    st.metric("Partners listed", f"{index.size:,}", width=175, border=True)
    st.metric(
        "Certifications mapped",
        len(taxonomy.certifications),
        help="Vendor certifications and programs, each mapped to the areas it proves",
        width=175,
        border=True,
    )
    st.metric("Vendors covered", vendor_count, width=175, border=True)
    st.metric(
        "Areas compared",
        len(taxonomy.areas),
        help=f"{len(taxonomy.technology_keys)} technology domains and "
        f"{len(taxonomy.service_keys)} business services",
        width=175,
        border=True,
    )

st.markdown("**More ways to find help**")
links = st.columns(3)
links[0].page_link("pages/find_partners.py", label="Search with every filter", icon="🔎")
links[1].page_link("pages/team_builder.py", label="Build a team of partners", icon="🤝")
links[2].page_link("pages/regional_map.py", label="See partners on a map", icon="🗺️")

with st.expander("What the areas mean"):
    for group in (TECHNOLOGY, BUSINESS_SERVICES):
        st.markdown(f"**{taxonomy.group_labels[group]}**")
        st.markdown(
            "\n".join(
                f"- **{a.label}**: {a.description}" for a in taxonomy.areas if a.group == group
            )
        )
with st.expander("How ranking works"):
    st.markdown(
        "Each result scores up to 105 points: **coverage** of your needs (50), **evidence** "
        "from certifications (20), **distance** within your radius (20), **freshness** of the "
        "profile (10; none for a profile not confirmed for over a year, marked stale) and "
        "**responsiveness** (5: the share of leads answered within 2 business days, from 5 "
        "leads on; 2.5 before that). A radius search never shows a partner outside the radius "
        "unless you ask for partners that travel to you. Nobody can pay to rank higher."
    )
