"""Revenue page (placeholder until built)."""
import streamlit as st

st.title("Revenue")
st.info("This page is being built.")
