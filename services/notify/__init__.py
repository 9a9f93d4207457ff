"""Alerts where people are: posts to a Slack or Microsoft Teams channel through its
incoming webhook, and the ``accountradar://`` links that open an alert in the app.

- ``webhook.py``: the webhook's address (a secret kept in the system keyring), checked;
- ``message.py``: the one function that builds a post's bytes (Slack Block Kit, or a
  Teams Adaptive Card in its "attachments" envelope), with a readable rendering; the
  preview and the post are the same bytes;
- ``gather.py``: what is new to post (critical alerts, alerts newly past their time to
  act, the digest), masked by the privacy setting as a request to a language model is;
- ``log.py``: what was posted to which webhook, and which webhooks were approved;
- ``client.py``: the one small HTTP client (urllib), its failures in plain words;
- ``run.py``: a round: gather, build, post, remember what went;
- ``links.py``: reading an ``accountradar://alert/<id>`` or ``accountradar://customer/<id>``.
"""
