"""Works notices for tenants: writing, publishing, and who is e-mailed.

The notices are housing's (``housing.WorksNotice``), but telling the tenants of the buildings needs
households and leases, which housing may not import: the services live here, one layer up.
"""

from __future__ import annotations

import datetime
import logging
from functools import partial
from smtplib import SMTPException

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from housing.models import WorksNotice, WorksSite
from portal.compiled import compiled_query
from portal.mail import portal_url, send_once
from portal.tasks import enqueue_on_commit
from tenants.errors import TenantError
from tenants.models import ContactPreference, Household, Lease, Person, WorksNoticeDelivery
from tenants.services.photos import prepare_photos

logger = logging.getLogger(__name__)


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


def works_notice_recipients(notice: WorksNotice) -> list[tuple[int, str, list[str]]]:
    """(household id, language, addresses) per household concerned by ``notice`` and not
    e-mailed it yet, read in two queries.

    A household is e-mailed at its tenant accounts' addresses; without an account, at its own
    address only when it chose e-mail as its contact preference.
    """
    building_ids = notice.site.buildings.values("pk")
    delivered = WorksNoticeDelivery.objects.filter(notice=notice, household=OuterRef("pk"))
    households = list(
        _households_in(building_ids)
        .filter(~Exists(delivered))
        .values("pk", "email", "contact_preference", "preferred_language")
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
            recipients.append((household["pk"], household["preferred_language"], emails))
    return recipients


def works_notice_send(*, notice_id: int) -> int:
    """E-mail a published notice to each household of its buildings not reached yet; the number
    of households e-mailed.

    Each household's e-mail leaves inside the transaction that records its delivery
    (:func:`portal.mail.send_once`, as allocation letters do): a send that fails rolls its record back, so the next run (the
    beat job) sends it, and a household is never e-mailed twice. The notice is marked as e-mailed
    once every household was reached.
    """
    notice = (
        WorksNotice.objects.select_related("site__landlord")
        .filter(pk=notice_id, published_on__isnull=False, notify_tenants=True, emailed_at=None)
        .first()
    )
    if notice is None:
        return 0
    link = portal_url(reverse("tenant_works_notices"))
    mail = get_connection()
    sent = failed = 0
    mail.open()  # one connection for every household (a server that is down fails the run)
    try:
        for household_id, language, emails in works_notice_recipients(notice):
            try:
                # One message per household: tenants never see each other's addresses.
                delivered = send_once(
                    partial(_notice_message, notice, link, language, emails, mail),
                    record=partial(
                        WorksNoticeDelivery.objects.create, notice=notice, household_id=household_id
                    ),
                )
                if not delivered:  # a run alongside sent it
                    continue
            except (SMTPException, OSError):
                failed += 1
                logger.warning(
                    "Works notice %s not e-mailed to household %s: left to the next run",
                    notice_id,
                    household_id,
                    exc_info=True,
                )
            else:
                sent += 1
    finally:
        mail.close()
    if not failed:
        WorksNotice.objects.filter(pk=notice_id, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
    return sent


def _notice_message(notice: WorksNotice, link: str, language: str, emails: list[str], mail):
    with translation.override(language):
        context = {"notice": notice, "site": notice.site, "link": link}
        subject = render_to_string("tenants/emails/works_notice_subject.txt", context).strip()
        body = render_to_string("tenants/emails/works_notice.txt", context)
    return EmailMessage(subject, body, None, emails, connection=mail)


def tenant_works_notices(household):
    """Published notices of the sites concerning the buildings where ``household`` has a lease."""
    return _works_notices_of(household_id=household.pk)


def _works_notices_of(*, household_id, today: datetime.date | None = None):
    leases = Lease.objects.current(today).filter(household_id=household_id)
    concerned = WorksSite.buildings.through.objects.filter(
        workssite_id=OuterRef("site_id"), building_id__in=leases.values("dwelling__building_id")
    )
    return (
        WorksNotice.objects.published()
        .filter(Exists(concerned))
        .select_related("site")
        .order_by("-published_on", "-pk")
    )


# The tenant's home shows this many of the latest notices.
HOME_WORKS_NOTICES = 3


@compiled_query
def _latest_works_notices_of(*, household_id, today):
    return _works_notices_of(household_id=household_id, today=today)[:HOME_WORKS_NOTICES]


def tenant_latest_works_notices(household) -> list:
    """The latest notices of :func:`tenant_works_notices` (the tenant's home), compiled once."""
    return _latest_works_notices_of(household_id=household.pk, today=timezone.localdate())
