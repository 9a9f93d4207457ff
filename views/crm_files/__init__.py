"""File ▸ Export ▸ Activities for the CRM…: the dialog of an activities export."""
