"""On a phone, the sidebar folds away once a link in it has been followed.

Streamlit folds its own page list after a choice on a narrow screen, but not a sidebar of
``st.page_link`` entries (app.py's per-role menu): the sidebar stayed over the new page until
closed by hand. ``initial_sidebar_state`` cannot help: Streamlit 1.67 keeps the visitor's last
open/closed choice in the browser (localStorage) and prefers it on every page that follows.

So a few lines of JavaScript, added once per browser tab, listen for a click on a sidebar link
while the screen is at most Streamlit's ``md`` breakpoint wide (768 px, where the sidebar covers
the page) and then press the sidebar's own collapse button, as the visitor would, so Streamlit
remembers the sidebar as closed. Wider screens are left alone. The script holds no user data.
"""

from __future__ import annotations

import streamlit as st

NARROW = "(max-width: 768px)"  # Streamlit's md breakpoint: the sidebar overlays the page
SCRIPT = f"""<script>
(() => {{
  if (window.__atlasFoldsSidebar) return;
  window.__atlasFoldsSidebar = true;
  document.addEventListener("click", (event) => {{
    const link = event.target.closest(
      '[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]');
    if (!link || !window.matchMedia("{NARROW}").matches) return;
    // After Streamlit has taken the click (and started the page change).
    setTimeout(() => {{
      const fold = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (fold) fold.click();
    }}, 0);
  }}, true);
}})();
</script>"""


def fold_sidebar_after_navigation_on_phones() -> None:
    """Call inside ``with st.sidebar:`` on every run (the script runs once per tab)."""
    st.html(SCRIPT, unsafe_allow_javascript=True)
