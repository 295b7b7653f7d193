"""Account page (placeholder until built)."""
import streamlit as st

st.title("Account")
st.info("This page is being built.")
