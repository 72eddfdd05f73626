"""Signals the tenants app sends, for the apps above it to act on (tenants imports none of them)."""

from django.dispatch import Signal

# Sent by contact_request_create() inside its transaction, with ``contact_request`` (a
# ContactRequest of kind « callback »). Outreach queues the call-back for the landlord's callers.
callback_requested = Signal()
