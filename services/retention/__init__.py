"""Retention: how many customers a period kept, and how much of their revenue."""
