"""The customer portal's views, thin adapters over tickets.services and tickets.queries.

accounts: home, sign-in, sign-up, the account page and password change.
requests: the list and the new-request form.
tickets: one request's page and the POST actions on it, and attachment downloads.
"""
