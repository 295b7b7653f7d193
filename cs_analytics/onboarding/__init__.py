"""Onboarding and activation (docs/spec/metrics.md, Onboarding and activation; docs/onboarding.md)."""
