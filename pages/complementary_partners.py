"""Placeholder until this screen is built."""

import streamlit as st

st.write("Under construction")
