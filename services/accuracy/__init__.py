"""Past scoring runs set beside what their customers then did (services/accuracy/report.py)."""
