"""Telling people outside the dashboard: email over SMTP (ledger receipts to witnesses)."""
