"""The activities logged in the app, written as the CRMs' own import files (Salesforce
tasks, HubSpot activities, a plain CSV), each export after the last one to the same CRM
(export.py); a help-desk ticket from an alert (ticket.py, its draft in records.py, which
the window's dialog reads without the database floors)."""
