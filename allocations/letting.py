"""After the committee: an accepted offer drafts the lease and lets the vacancy, in one go."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from allocations.errors import AllocationError
from allocations.events import letting_event_record
from allocations.models import LettingStep, Offer
from allocations.services import offer_accept
from tenants.errors import TenantError
from tenants.models import Lease
from tenants.services.leases import household_for_new_tenant, lease_draft

# The lease starts when the dwelling is available, and not before this many days after the
# acceptance (time to sign and to hand over the keys).
DEFAULT_LEASE_START_DAYS = 15


def lease_start_days() -> int:
    return getattr(settings, "ALLOCATIONS_LEASE_START_DAYS", DEFAULT_LEASE_START_DAYS)


def lease_start_date(*, available_from: datetime.date, accepted_on: datetime.date):
    return max(available_from, accepted_on + datetime.timedelta(days=lease_start_days()))


@transaction.atomic
def offer_accept_and_let(
    *, offer_id: int, by=None, now: datetime.datetime | None = None
) -> tuple[Offer, Lease]:
    """Record the acceptance, let the vacancy and draft the lease: all of it or nothing.

    The lease goes to the applicant's current household when it is the same landlord's (a
    transfer); otherwise to a household opened under the application's number.
    """
    now = now or timezone.now()
    offer = offer_accept(offer_id=offer_id, now=now)
    offer = Offer.objects.select_related("application__current_household", "vacancy__dwelling").get(
        pk=offer.pk
    )
    application, vacancy = offer.application, offer.vacancy
    household = application.current_household
    if household is None or household.landlord_id != vacancy.landlord_id:
        household = household_for_new_tenant(
            landlord_id=vacancy.landlord_id,
            reference=f"DEM-{application.registration_number}",
            name=application.applicant_name,
            email=application.email,
        )
    start = lease_start_date(
        available_from=vacancy.available_from, accepted_on=timezone.localdate(now)
    )
    try:
        lease = lease_draft(household=household, dwelling=vacancy.dwelling, start_date=start)
    except TenantError as error:
        raise AllocationError(str(error)) from error
    letting_event_record(
        vacancy_id=vacancy.pk,
        step=LettingStep.LEASE_DRAFTED,
        offer_id=offer.pk,
        detail=_("bail n° %(pk)d, du %(start)s") % {"pk": lease.pk, "start": start.isoformat()},
        by=by,
        at=now,
    )
    return offer, lease
