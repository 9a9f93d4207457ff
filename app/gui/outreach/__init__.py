"""The email composer's wiring (views/outreach/composer_dialog.py on one side,
services/outreach/ on the other).

- ``composer_controller``: opens the composer for a customer, prepares the draft request
  and carries out what the dialog asks.
- ``draft_variants``: the drafts being written, one task per variant, Stop, and the
  template draft when no provider answers.
- ``sending``: copy, open in the mail app, save .eml, send by SMTP, and the outreach record.
- ``questions``: the composer's questions to the user as Qt dialogs, and the desktop's
  mail handler, clipboard and drafts folder.
- ``batch_controller``: Draft for all, the review queue and the delivery of its
  approved emails; ``batch_mail_app``: its Open each in the mail app (mail links, .eml
  drafts for the long ones and when no mail program takes them).
- ``template_controller``: the template library (File ▸ Email templates…): read, preview
  and save the email templates the offline drafts use.
"""
