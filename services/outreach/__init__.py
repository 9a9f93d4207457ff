"""Email outreach (docs/design.md section 9): drafting context, prompt, checks, templates,
mail (mailto, .eml, SMTP) and recording what was sent. No Qt here.

- ``records``: vocabularies and frozen records (stdlib only; the window imports it).
- ``context``: the structured context of one customer.
- ``prompt``: the messages for a provider, the exact request, the privacy review.
- ``checks``: parse a reply and check it (placeholders, incentive cap, length).
- ``links``: the links in a draft, checked against the team's own domains.
- ``templates``: the Jinja2 template library (the offline fallback).
- ``drafting``: what the command line and the window call to get a draft.
- ``composing``, ``composer_text``: what the window's composer needs besides Qt (the
  request prepared, each variant streamed, the words it shows).
- ``mail``: build, export and send the email; ``delivery``: the SMTP settings, sending
  with the stored password, the mailto link and .eml files the composer uses.
- ``sent``: record an email sent or exported (outreach, interaction, alert, audit).
"""
