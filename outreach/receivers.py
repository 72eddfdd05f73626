"""Outreach's answers to the signals of the apps below it."""

from django.dispatch import receiver

from outreach.services.tenant_callbacks import tenant_callback_queue
from tenants.signals import callback_requested


@receiver(callback_requested, dispatch_uid="outreach_queue_tenant_callback")
def queue_tenant_callback(sender, contact_request, **kwargs):
    """A tenant asked to be called back: the household's task opens in the landlord's queue.

    In the tenant's transaction, so the request and its place in the queue are written together
    (one household, three short statements); the beat refresh catches requests filed otherwise.
    """
    tenant_callback_queue(contact_request=contact_request)
