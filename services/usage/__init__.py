"""Product usage: what the usage imports (services/importing/usage) stored per customer and
day (models.schema.UsageDay), read as weeks and as a customer's last 30 days."""
