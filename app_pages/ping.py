"""A trivial page (one line of text) for the page-settle benchmark's reference floor (bench/pages.py):
the cost of the app frame, the sidebar and one script run. Shown only with CS_ANALYTICS_BENCH_PING=1."""
import streamlit as st

st.title("Ping")
st.text("pong")
