"""The operations that combine features: refresh (score then alert), the customer
detail, the customers table, exports, the checklist and the daily round."""
