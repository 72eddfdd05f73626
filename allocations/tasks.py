"""Periodic work of the allocations: offers left without an answer past their deadline."""

from celery import shared_task

from allocations.services import offers_expire_due, priority_transfer_flags_refresh


@shared_task(name="allocations.expire_offers")
def expire_offers() -> int:
    """Expire pending offers past their deadline and offer the dwelling to the next rank.

    Idempotent: each expiry is a conditional UPDATE, so a second run (or two workers at once)
    expires nothing twice and issues no second offer.
    """
    return offers_expire_due()


@shared_task(name="allocations.refresh_priority_transfer_flags")
def refresh_priority_transfer_flags() -> None:
    """Keep the households' priority-transfer flags in step with live applications (daily)."""
    priority_transfer_flags_refresh()


@shared_task(name="allocations.send_sitting_letters")
def send_sitting_letters(*, sitting_id: int) -> int:
    """E-mail the decision letters and occupancy notices of a closed sitting (idempotent: each
    letter sent is recorded and never sent again)."""
    from allocations.letters import sitting_letters_send

    return sitting_letters_send(sitting_id=sitting_id)


@shared_task(name="allocations.send_offer_letter")
def send_offer_letter(*, offer_id: int) -> bool:
    """E-mail an offer with its deadline (idempotent, like the decision letters)."""
    from allocations.letters import offer_letter_send

    return offer_letter_send(offer_id=offer_id)


@shared_task(name="allocations.send_pending_letters")
def send_pending_letters() -> int:
    """Hourly: send the letters of the last 30 days that did not leave (idempotent)."""
    from allocations.letters import pending_letters_send

    return pending_letters_send()
