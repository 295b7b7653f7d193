"""Data page (placeholder until built)."""
import streamlit as st

st.title("Data")
st.info("This page is being built.")
