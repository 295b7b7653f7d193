"""Cohorts page (placeholder until built)."""
import streamlit as st

st.title("Cohorts")
st.info("This page is being built.")
