"""Works notices for tenants: writing, publishing, and who is e-mailed.

The notices are housing's (``housing.WorksNotice``), but telling the tenants of the buildings needs
households and leases, which housing may not import: the services live here, one layer up.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from housing.models import WorksNotice, WorksSite
from portal.tasks import enqueue_on_commit
from tenants.errors import TenantError
from tenants.models import ContactPreference, Household, Lease, Person
from tenants.services.photos import prepare_photos


def _households_in(building_ids, *, today: datetime.date | None = None):
    """Households with a current lease in one of ``building_ids`` (one EXISTS, no duplicates)."""
    leases = Lease.objects.current(today).filter(
        household=OuterRef("pk"), dwelling__building_id__in=building_ids
    )
    return Household.objects.filter(Exists(leases))


@transaction.atomic
def works_notice_create(
    *, site: WorksSite, title: str, body: str, photo=None, notify_tenants: bool = False, by=None
) -> WorksNotice:
    """A draft notice; its photo is re-encoded without metadata (as request photos are)."""
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise TenantError(_("Un avis a besoin d'un titre et d'un texte."))
    notice = WorksNotice(
        site=site, title=title, body=body, notify_tenants=notify_tenants, written_by=by
    )
    if photo:
        prepared = prepare_photos([photo])[0]
        notice.photo_content_type = prepared.content_type
        notice.photo.save(prepared.content.name, prepared.content, save=False)
    notice.save()
    return notice


@transaction.atomic
def works_notice_publish(
    *, notice: WorksNotice, notify: bool, by=None, today: datetime.date | None = None
) -> WorksNotice:
    """Publish a draft (once); with ``notify``, the tenants of the buildings are e-mailed after commit."""
    from tenants.tasks import send_works_notice

    today = today or timezone.localdate()
    published = WorksNotice.objects.filter(pk=notice.pk, published_on__isnull=True).update(
        published_on=today, notify_tenants=notify, updated_at=timezone.now()
    )
    if not published:
        raise TenantError(_("Cet avis est déjà publié."))
    notice.refresh_from_db()
    if notify:
        enqueue_on_commit(send_works_notice, notice_id=notice.pk)
    return notice


def works_notice_recipients(notice: WorksNotice) -> list[tuple[str, list[str]]]:
    """(language, addresses) per household concerned by ``notice``, read in two queries.

    A household is e-mailed at its tenant accounts' addresses; without an account, at its own
    address only when it chose e-mail as its contact preference.
    """
    building_ids = notice.site.buildings.values("pk")
    households = list(
        _households_in(building_ids).values(
            "pk", "email", "contact_preference", "preferred_language"
        )
    )
    accounts: dict[int, set[str]] = {}
    for household_id, email in Person.objects.filter(
        household_id__in=[household["pk"] for household in households],
        user__is_active=True,
    ).values_list("household_id", "user__email"):
        if email:
            accounts.setdefault(household_id, set()).add(email)
    recipients = []
    for household in households:
        emails = sorted(accounts.get(household["pk"], ()))
        wants_email = household["contact_preference"] == ContactPreference.EMAIL
        if not emails and household["email"] and wants_email:
            emails = [household["email"]]
        if emails:
            recipients.append((household["preferred_language"], emails))
    return recipients


def tenant_works_notices(household):
    """Published notices of the sites concerning the buildings where ``household`` has a lease."""
    leases = Lease.objects.current().filter(household=household)
    concerned = WorksSite.buildings.through.objects.filter(
        workssite_id=OuterRef("site_id"), building_id__in=leases.values("dwelling__building_id")
    )
    return (
        WorksNotice.objects.published()
        .filter(Exists(concerned))
        .select_related("site")
        .order_by("-published_on", "-pk")
    )
