"""The shared basics that are not features: money, formatting, local dates, records,
output files, the profile, the version, bulk helpers, the per-customer totals, credentials,
the organisation's policy resolver and the declaration of a setting, and who may do what
(access). No module here imports a feature."""
