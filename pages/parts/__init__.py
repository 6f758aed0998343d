"""Streamlit pieces shared by several pages, or split off a long one.

A sub-package because Streamlit treats every top-level ``pages/*.py`` file as a page but
never scans a folder below it. Like the pages, these modules read widgets, call core and
render; the rules themselves live in core.
"""
