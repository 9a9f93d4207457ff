"""Scoring: BG/NBD and Gamma-Gamma models, engagement, churn risk, CLV and health."""
