"""Renewals: what is due, what renewed, the likelihood to renew, CSM calls (metrics.md, Renewals)."""
