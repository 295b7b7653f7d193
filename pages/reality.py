"""Reality page (placeholder until built)."""
import streamlit as st

st.title("Reality")
st.info("This page is being built.")
