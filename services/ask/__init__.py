"""Ask: questions in plain words over the workspace.

- ``views``: the ask_ views questions are asked against (SQL and documentation).
- ``readonly``: runs one query on a read-only connection that can see only those views.
- ``answer``: a query's result as an answer: a summary sentence, a chart, customer links.
- ``errors``: what can go wrong, in plain words.
"""
