"""Leases drafted by the letting (an offer accepted): a draft until it is signed."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from housing.models import Dwelling
from tenants.errors import TenantError
from tenants.models import Household, Lease, LeaseStatus


@transaction.atomic
def household_for_new_tenant(*, landlord_id: int, reference: str, name: str, email: str = ""):
    """The landlord's household of that reference, created when it does not exist yet."""
    household, _created = Household.objects.get_or_create(
        landlord_id=landlord_id, reference=reference[:30], defaults={"name": name, "email": email}
    )
    return household


@transaction.atomic
def lease_draft(*, household: Household, dwelling: Dwelling, start_date: datetime.date) -> Lease:
    """A draft (unsigned) lease of ``dwelling`` for ``household`` starting on ``start_date``."""
    if household.landlord_id != dwelling.landlord_id:
        raise TenantError(_("Le logement doit appartenir au bailleur du ménage."))
    try:
        with transaction.atomic():
            return Lease.objects.create(
                household=household,
                dwelling=dwelling,
                start_date=start_date,
                status=LeaseStatus.DRAFT,
            )
    except IntegrityError as error:
        raise TenantError(
            _(
                "Le logement %(ref)s a encore un bail en cours : terminez-le avant de préparer "
                "le nouveau bail."
            )
            % {"ref": dwelling.reference}
        ) from error
