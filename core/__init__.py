"""Partner Atlas core: all logic, no user interface (never imports streamlit)."""
