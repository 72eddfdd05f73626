"""E-mails to tenants, sent by Celery after the commit; each task is idempotent."""

import datetime

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portal.mail import portal_url
from portal.outbox import RunOnceTask
from tenants.models import RequestEvent, TechnicalRequest, TenantInvitation


def household_emails(household) -> list[str]:
    """Addresses of the household's tenant accounts, or the household's own address."""
    emails = sorted(
        {
            email
            for email in household.people.filter(user__is_active=True).values_list(
                "user__email", flat=True
            )
            if email
        }
    )
    if not emails and household.email:
        emails = [household.email]
    return emails


def _send(template: str, context: dict, recipients: list[str], language: str = "fr") -> None:
    if not recipients:
        return
    with translation.override(language):
        subject = render_to_string(f"tenants/emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"tenants/emails/{template}.txt", context)
    send_mail(subject, body, None, recipients)


@shared_task(name="tenants.send_tenant_invitation", base=RunOnceTask)
def send_tenant_invitation(invitation_id: int) -> None:
    from tenants.services.accounts import invitation_token

    invitation = (
        TenantInvitation.objects.select_related("person__household__landlord")
        .filter(pk=invitation_id, used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None:
        return
    link = portal_url(reverse("tenant_invitation", kwargs={"token": invitation_token(invitation)}))
    household = invitation.person.household
    _send(
        "invitation",
        {"invitation": invitation, "link": link, "landlord": household.landlord},
        [invitation.email],
        household.preferred_language,
    )


@shared_task(name="tenants.send_request_confirmation")
def send_request_confirmation(request_id: int) -> None:
    request = (
        TechnicalRequest.objects.select_related("household", "landlord")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.household is None:
        return
    # The creation event carries the "already e-mailed" mark: a retried task sends nothing.
    claimed = RequestEvent.objects.filter(
        request_id=request_id, kind=RequestEvent.Kind.CREATED, notified_at__isnull=True
    ).update(notified_at=timezone.now())
    if not claimed:
        return
    link = portal_url(reverse("tenant_request_detail", kwargs={"pk": request.pk}))
    _send(
        "request_created",
        {"request": request, "link": link},
        household_emails(request.household),
        request.household.preferred_language,
    )


@shared_task(name="tenants.send_request_update")
def send_request_update(event_id: int) -> None:
    claimed = RequestEvent.objects.filter(
        pk=event_id, is_internal=False, notified_at__isnull=True
    ).update(notified_at=timezone.now())
    if not claimed:
        return
    event = RequestEvent.objects.select_related("request__household", "request__landlord").get(
        pk=event_id
    )
    request = event.request
    if request.household is None:
        return
    link = portal_url(reverse("tenant_request_detail", kwargs={"pk": request.pk}))
    _send(
        "request_update",
        {"request": request, "event": event, "link": link},
        household_emails(request.household),
        request.household.preferred_language,
    )


@shared_task(name="tenants.notify_stale_requests")
def notify_stale_requests() -> int:
    """Beat (working days, morning): tell each landlord's supervisors which requests went quiet."""
    from housing.models import StaffMembership
    from tenants.selectors import stale_requests
    from tenants.services.requests import REQUEST_SUPERVISORS

    by_landlord: dict[int, list] = {}
    for request in stale_requests():
        by_landlord.setdefault(request.landlord_id, []).append(request)
    if not by_landlord:
        return 0
    recipients: dict[int, set[str]] = {}
    for landlord_id, email in StaffMembership.objects.filter(
        landlord_id__in=by_landlord, role__in=REQUEST_SUPERVISORS, user__is_active=True
    ).values_list("landlord_id", "user__email"):
        recipients.setdefault(landlord_id, set()).add(email)
    link = portal_url(reverse("tenants:request_list") + "?stale=on&status=open")
    for landlord_id, requests in by_landlord.items():
        _send(
            "stale_requests",
            {"requests": requests, "link": link},
            sorted(recipients.get(landlord_id, ())),
        )
    return sum(len(requests) for requests in by_landlord.values())


@shared_task(name="tenants.send_works_notice")
def send_works_notice(notice_id: int) -> int:
    """E-mail a published works notice to the households of its buildings, each once; a
    household whose e-mail failed is left to the next run (send_pending_works_notices)."""
    from tenants.services.works_notices import works_notice_send

    return works_notice_send(notice_id=notice_id)


# Older notices are news no more: a notice whose message was lost is not sent after a week.
PENDING_NOTICE_DAYS = 7


@shared_task(name="tenants.send_pending_works_notices")
def send_pending_works_notices() -> int:
    """Beat: send the published notices whose e-mail never left (a broker outage at publication)
    or did not reach every household (a mail server that failed): only to those not reached."""
    from housing.models import WorksNotice

    since = timezone.localdate() - datetime.timedelta(days=PENDING_NOTICE_DAYS)
    pending = WorksNotice.objects.filter(
        notify_tenants=True, emailed_at__isnull=True, published_on__gte=since
    ).values_list("pk", flat=True)
    return sum(send_works_notice(notice_id) for notice_id in list(pending))


@shared_task(name="tenants.purge_access_log")
def purge_access_log() -> int:
    """Beat (nightly): forget the access log's lines older than the retention period."""
    from tenants.services.access_log import household_access_purge

    return household_access_purge()
