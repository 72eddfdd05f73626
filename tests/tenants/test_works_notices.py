"""Works notices: written and published by staff, read by the tenants of the buildings concerned."""

import datetime
from smtplib import SMTPServerDisconnected

import pytest
from django.core.mail.backends import locmem
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from housing.models import Role, WorksNotice
from tenants.errors import TenantError
from tenants.models import ContactPreference, WorksNoticeDelivery
from tenants.services.works_notices import (
    tenant_works_notices,
    works_notice_create,
    works_notice_publish,
)
from tenants.tasks import send_pending_works_notices, send_works_notice
from tests.factories import (
    HouseholdFactory,
    LeaseFactory,
    WorksNoticeFactory,
    WorksSiteFactory,
    make_staff,
)
from tests.tenants.conftest import jpeg_with_exif, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def building(actis_household):
    return actis_household.leases.get().dwelling.building


@pytest.fixture
def site(actis, building):
    return WorksSiteFactory(landlord=actis, name="Réhabilitation Arlequin", buildings=[building])


@pytest.fixture
def writer(actis):
    return make_staff(actis, Role.SUPERVISOR, email="resp@actis.example")


def test_tenants_see_only_the_notices_of_their_own_building(client, tenant, actis, site):
    other_site = WorksSiteFactory(
        landlord=actis, buildings=[LeaseFactory(household__landlord=actis).dwelling.building]
    )
    mine_old = WorksNoticeFactory(
        site=site, title="Début du chantier", published_on=datetime.date(2020, 2, 1)
    )
    mine_new = WorksNoticeFactory(
        site=site, title="Reprise", published_on=datetime.date(2020, 5, 11)
    )
    WorksNoticeFactory(site=site, title="Brouillon", published_on=None)
    WorksNoticeFactory(site=other_site, title="Autre immeuble")

    client.force_login(tenant)
    response = client.get(reverse("tenant_works_notices"))
    assert list(response.context["notices"]) == [mine_new, mine_old]  # newest first
    page = response.content.decode()
    assert "Reprise" in page
    assert "Autre immeuble" not in page
    assert "Brouillon" not in page
    home = client.get(reverse("tenant_home")).content.decode()
    assert "Travaux dans mon immeuble" in home
    assert "Reprise" in home


def test_a_former_tenant_of_the_building_no_longer_sees_its_notices(actis, site, building):
    household = HouseholdFactory(landlord=actis)
    LeaseFactory(
        household=household, dwelling__building=building, end_date=datetime.date(2019, 12, 31)
    )
    WorksNoticeFactory(site=site)
    assert not tenant_works_notices(household).exists()


def test_publishing_emails_each_household_of_the_buildings_once(
    actis, site, building, writer, tenant, mailoutbox, django_capture_on_commit_callbacks
):
    by_email = HouseholdFactory(
        landlord=actis, contact_preference=ContactPreference.EMAIL, email="mail@exemple.fr"
    )
    LeaseFactory(household=by_email, dwelling__building=building)
    by_phone = HouseholdFactory(
        landlord=actis, contact_preference=ContactPreference.PHONE, email="tel@exemple.fr"
    )
    LeaseFactory(household=by_phone, dwelling__building=building)
    elsewhere = HouseholdFactory(
        landlord=actis, contact_preference=ContactPreference.EMAIL, email="loin@exemple.fr"
    )
    LeaseFactory(household=elsewhere)

    notice = works_notice_create(
        site=site, title="Coupure d'eau", body="Mardi de 9 h à 12 h.", by=writer
    )
    assert notice.published_on is None
    with django_capture_on_commit_callbacks(execute=True):
        works_notice_publish(notice=notice, notify=True, by=writer)
    recipients = sorted(address for message in mailoutbox for address in message.to)
    # the tenant account of the first household, the household that chose e-mail; not by phone
    assert recipients == ["jeanne@exemple.fr", "mail@exemple.fr"]
    assert "Coupure d'eau" in mailoutbox[0].subject
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    assert send_works_notice(notice.pk) == 0  # a second run sends nothing
    assert len(mailoutbox) == 2
    with pytest.raises(TenantError, match="déjà publié"):
        works_notice_publish(notice=notice, notify=True, by=writer)


def test_publishing_without_notification_sends_nothing(
    site, writer, tenant, mailoutbox, django_capture_on_commit_callbacks
):
    notice = WorksNoticeFactory(site=site, published_on=None)
    with django_capture_on_commit_callbacks(execute=True):
        works_notice_publish(notice=notice, notify=False, by=writer)
    assert mailoutbox == []
    assert send_works_notice(notice.pk) == 0


def test_staff_write_a_notice_with_a_photo_served_only_to_the_concerned(
    client, writer, site, tenant, sdh_tenant, charlie, alice
):
    client.force_login(writer)
    url = reverse("tenants:works_notice_create", args=[site.pk])
    response = client.post(
        url,
        {
            "title": "Échafaudages",
            "body": "Pose lundi.",
            "publish": "on",
            "photo": upload("facade.jpg", jpeg_with_exif(), "image/jpeg"),
        },
    )
    assert response.status_code == 302
    notice = WorksNotice.objects.get()
    assert notice.published_on is not None
    photo = client.get(reverse("tenants:works_notice_photo", args=[notice.pk]))
    assert photo.status_code == 200
    assert b"AppareilSecret" not in b"".join(photo.streaming_content)  # EXIF dropped

    client.force_login(tenant)
    own = client.get(reverse("tenant_works_notice_photo", args=[notice.pk]))
    assert own.status_code == 200
    assert b"".join(own.streaming_content).startswith(b"\xff\xd8")  # re-encoded as JPEG
    client.force_login(sdh_tenant)
    assert client.get(reverse("tenant_works_notice_photo", args=[notice.pk])).status_code == 404
    client.force_login(charlie)
    assert client.get(reverse("tenants:works_notice_photo", args=[notice.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("tenants:works_notice_photo", args=[notice.pk])).status_code == 302
    assert client.get("/media/" + notice.photo.name).status_code == 404  # no public URL


def test_a_notice_without_title_or_text_says_what_to_write_and_nothing_is_written(
    client, writer, site
):
    client.force_login(writer)
    url = reverse("tenants:works_notice_create", args=[site.pk])
    response = client.post(url, {"title": "Coupure d'eau", "body": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "body": [
            "Écrivez le texte de l'avis : ce qui se passe, quand, et ce que les locataires "
            "doivent faire."
        ]
    }
    response = client.post(url, {"title": "", "body": "Mardi de 9 h à 12 h."})
    assert list(response.context["form"].errors) == ["title"]
    assert "Donnez un titre à l&#x27;avis" in response.content.decode()
    assert not WorksNotice.objects.exists()


def test_notice_pages_are_scoped_to_the_writers_landlord(client, sdh, alice, site):
    charlie_admin = make_staff(sdh, Role.LANDLORD_ADMIN, email="admin@sdh.example")
    notice = WorksNoticeFactory(site=site, published_on=None)
    client.force_login(charlie_admin)
    assert client.get(reverse("tenants:works_notice_create", args=[site.pk])).status_code == 404
    assert client.post(reverse("tenants:works_notice_publish", args=[notice.pk])).status_code == 404
    client.force_login(alice)  # a caller of Actis: no works role
    assert client.post(reverse("tenants:works_notice_publish", args=[notice.pk])).status_code == 403
    notice.refresh_from_db()
    assert notice.published_on is None


def test_staff_publish_a_draft_from_the_site_page(client, writer, site):
    notice = WorksNoticeFactory(site=site, published_on=None)
    client.force_login(writer)
    response = client.post(reverse("tenants:works_notice_publish", args=[notice.pk]))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.published_on is not None
    assert notice.notify_tenants is False


def test_the_beat_job_sends_a_notice_whose_message_was_lost_and_only_recent_ones(
    site, tenant, mailoutbox
):
    today = timezone.localdate()
    lost = WorksNoticeFactory(site=site, published_on=today, notify_tenants=True)
    WorksNoticeFactory(  # too old to be news
        site=site, published_on=today - datetime.timedelta(days=30), notify_tenants=True
    )
    WorksNoticeFactory(site=site, published_on=today, notify_tenants=False)
    assert send_pending_works_notices() == 1
    assert [message.to for message in mailoutbox] == [["jeanne@exemple.fr"]]
    lost.refresh_from_db()
    assert lost.emailed_at is not None
    assert send_pending_works_notices() == 0


class FlakyBackend(locmem.EmailBackend):
    """A mail server that refuses every message to an address of ``REFUSED`` (all: ``"*"``)."""

    REFUSED: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            if "*" in self.REFUSED or self.REFUSED & set(message.to):
                raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    yield FlakyBackend.REFUSED
    FlakyBackend.REFUSED.clear()


@pytest.fixture
def by_email(actis, building):
    household = HouseholdFactory(
        landlord=actis, contact_preference=ContactPreference.EMAIL, email="mail@exemple.fr"
    )
    LeaseFactory(household=household, dwelling__building=building)
    return household


def test_a_notice_the_mail_server_refused_is_sent_by_the_next_run(
    site, writer, tenant, by_email, flaky_mail, mailoutbox, django_capture_on_commit_callbacks
):
    flaky_mail.add("*")
    notice = WorksNoticeFactory(site=site, published_on=None)
    with django_capture_on_commit_callbacks(execute=True):
        works_notice_publish(notice=notice, notify=True, by=writer)
    notice.refresh_from_db()
    assert (mailoutbox, notice.emailed_at) == ([], None)  # nothing left: not marked as sent

    flaky_mail.clear()  # the server is back: the beat job sends it
    assert send_pending_works_notices() == 2
    assert sorted(message.to[0] for message in mailoutbox) == [
        "jeanne@exemple.fr",
        "mail@exemple.fr",
    ]
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    assert send_pending_works_notices() == 0
    assert len(mailoutbox) == 2


def test_a_household_already_emailed_is_not_emailed_again_when_another_failed(
    site, tenant, by_email, flaky_mail, mailoutbox
):
    notice = WorksNoticeFactory(site=site, notify_tenants=True)
    flaky_mail.add("mail@exemple.fr")  # this household's address fails, Jeanne's goes through
    assert send_works_notice(notice.pk) == 1
    assert [message.to for message in mailoutbox] == [["jeanne@exemple.fr"]]
    notice.refresh_from_db()
    assert notice.emailed_at is None  # one household is still to be told

    flaky_mail.clear()
    assert send_works_notice(notice.pk) == 1
    assert [message.to for message in mailoutbox] == [["jeanne@exemple.fr"], ["mail@exemple.fr"]]
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    assert send_works_notice(notice.pk) == 0
    assert len(mailoutbox) == 2


def test_the_database_refuses_a_second_delivery_of_a_notice_to_a_household(site, actis_household):
    notice = WorksNoticeFactory(site=site, notify_tenants=True)
    WorksNoticeDelivery.objects.create(notice=notice, household=actis_household)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorksNoticeDelivery.objects.create(notice=notice, household=actis_household)


def test_the_admin_lists_the_landlords_notice_deliveries_read_only(
    client, actis, sdh, site, actis_household, sdh_household
):
    """Landlord admins see to whom their notices went; another landlord's answers 404."""
    from django.contrib.auth.models import Permission

    from tests.factories import WorksSiteFactory

    notice = WorksNotice.objects.create(site=site, title="Coupure d'eau", body="Mardi matin")
    ours = WorksNoticeDelivery.objects.create(notice=notice, household=actis_household)
    their_site = WorksSiteFactory(landlord=sdh, name="Démolition Surieux")
    their_notice = WorksNotice.objects.create(site=their_site, title="Grue", body="Lundi")
    theirs = WorksNoticeDelivery.objects.create(notice=their_notice, household=sdh_household)
    admin_user = make_staff(actis, Role.LANDLORD_ADMIN, email="admin@actis.example", is_staff=True)
    admin_user.user_permissions.set(
        Permission.objects.filter(codename__endswith="worksnoticedelivery")
    )
    client.force_login(admin_user)
    page = client.get(reverse("admin:tenants_worksnoticedelivery_changelist")).content.decode()
    assert actis_household.reference in page
    assert sdh_household.reference not in page
    change = "admin:tenants_worksnoticedelivery_change"
    assert client.get(reverse(change, args=[ours.pk])).status_code == 200
    assert client.get(reverse(change, args=[theirs.pk])).status_code == 404
    assert client.get(reverse("admin:tenants_worksnoticedelivery_add")).status_code == 403
    delete = reverse("admin:tenants_worksnoticedelivery_delete", args=[ours.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert WorksNoticeDelivery.objects.filter(pk=ours.pk).exists()
