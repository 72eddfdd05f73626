"""Partners, referrals and the solidarity register: services, pages, scoping and the seed command."""

import datetime
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from housing.models import Role
from outreach.errors import OutreachError
from outreach.models import (
    Partner,
    PartnerKind,
    Referral,
    ReferralStatus,
    SolidarityEntry,
    SolidarityStatus,
)
from outreach.services.followups import (
    partner_create,
    partner_update,
    referral_set_status,
    solidarity_entry_close,
    solidarity_entry_update_follow_up,
)
from portal.models import User
from tenants.models import Household
from tests.factories import HouseholdFactory, make_staff

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Helpers


def make_partner(landlord, name="CCAS de Grenoble", **fields):
    fields.setdefault("kind", PartnerKind.SENIOR_SERVICE)
    return Partner.objects.create(landlord=landlord, name=name, **fields)


def make_referral(household, partner, *, by, status=ReferralStatus.TO_SEND, reason="Courses"):
    return Referral.objects.create(
        landlord_id=household.landlord_id,
        household=household,
        partner=partner,
        reason=reason,
        status=status,
        created_by=by,
    )


def make_entry(
    household, *, status=SolidarityStatus.OPEN, need="Seule depuis le décès de son mari"
):
    closed = status == SolidarityStatus.CLOSED
    return SolidarityEntry.objects.create(
        landlord_id=household.landlord_id,
        household=household,
        found_on=datetime.date(2026, 3, 10),
        need=need,
        status=status,
        closed_reason="Suivie par le CCAS" if closed else "",
    )


def bulk_households(landlord, count):
    households = [HouseholdFactory.build(landlord=landlord) for _ in range(count)]
    Household.objects.bulk_create(households)
    return list(Household.objects.filter(landlord=landlord).order_by("pk"))


@pytest.fixture
def technician(actis):
    return make_staff(actis, Role.TECHNICIAN, email="technicien@actis.example")


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("admin@portail.example", "mot-de-passe-2026")


@pytest.fixture
def shared_partner(db):
    return make_partner(None, name="CCAS d'Échirolles", city="Échirolles")


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# ---------------------------------------------------------------------------------------------
# Services


def test_a_supervisor_creates_a_partner_for_their_landlord(bob, actis):
    partner = partner_create(
        user=bob, landlord=actis, name="Entraide Villeneuve", kind=PartnerKind.MUTUAL_AID
    )
    assert partner.landlord == actis


def test_a_caller_cannot_create_a_partner(alice, actis):
    with pytest.raises(OutreachError, match="responsable du bailleur"):
        partner_create(user=alice, landlord=actis, name="X", kind=PartnerKind.OTHER)
    assert not Partner.objects.exists()


def test_only_a_superuser_creates_or_changes_a_shared_partner(bob, superuser, shared_partner):
    with pytest.raises(OutreachError, match="partenaire commun"):
        partner_create(user=bob, landlord=None, name="Commun", kind=PartnerKind.OTHER)
    with pytest.raises(OutreachError, match="partenaire commun"):
        partner_update(partner=shared_partner, user=bob, city="Grenoble")
    partner_create(user=superuser, landlord=None, name="Commun", kind=PartnerKind.OTHER)
    partner_update(partner=shared_partner, user=superuser, city="Échirolles centre")
    shared_partner.refresh_from_db()
    assert shared_partner.city == "Échirolles centre"
    assert Partner.objects.filter(landlord__isnull=True).count() == 2


def test_partner_details_are_validated_in_french(bob, actis):
    with pytest.raises(OutreachError, match="adresse e-mail valide"):
        partner_create(
            user=bob, landlord=actis, name="X", kind=PartnerKind.OTHER, email="pas-une-adresse"
        )


def test_a_referral_goes_through_its_statuses_and_records_who_and_when(alice, bob, actis_household):
    partner = make_partner(actis_household.landlord)
    referral = make_referral(actis_household, partner, by=alice)
    created_at = referral.updated_at
    referral = referral_set_status(referral=referral, user=alice, status=ReferralStatus.SENT)
    referral = referral_set_status(referral=referral, user=bob, status=ReferralStatus.ACKNOWLEDGED)
    assert referral.status == ReferralStatus.ACKNOWLEDGED
    assert referral.updated_at > created_at
    history = LogEntry.objects.filter(object_id=str(referral.pk)).order_by("action_time", "pk")
    assert [(entry.user, entry.change_message) for entry in history] == [
        (alice, "État : à transmettre → transmise"),
        (bob, "État : transmise → prise en charge"),
    ]


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (ReferralStatus.TO_SEND, ReferralStatus.ACKNOWLEDGED),
        (ReferralStatus.CLOSED, ReferralStatus.SENT),
        (ReferralStatus.SENT, ReferralStatus.TO_SEND),
    ],
)
def test_a_referral_refuses_a_transition_outside_the_rules(alice, actis_household, current, target):
    referral = make_referral(actis_household, make_partner(actis_household.landlord), by=alice)
    Referral.objects.filter(pk=referral.pk).update(status=current)
    referral.refresh_from_db()
    with pytest.raises(OutreachError, match="ne peut pas passer à"):
        referral_set_status(referral=referral, user=alice, status=target)
    referral.refresh_from_db()
    assert referral.status == current
    assert not LogEntry.objects.exists()


def test_staff_of_another_landlord_cannot_move_a_referral(alice, charlie, actis_household):
    referral = make_referral(actis_household, make_partner(actis_household.landlord), by=alice)
    with pytest.raises(OutreachError):
        referral_set_status(referral=referral, user=charlie, status=ReferralStatus.SENT)


def test_closing_a_register_entry_needs_a_reason(alice, actis_household):
    entry = make_entry(actis_household)
    with pytest.raises(OutreachError, match="Indiquez le motif de la clôture"):
        solidarity_entry_close(entry=entry, user=alice, reason="   ")
    entry.refresh_from_db()
    assert entry.status == SolidarityStatus.OPEN
    entry = solidarity_entry_close(entry=entry, user=alice, reason="Accompagnée par le CCAS")
    entry.refresh_from_db()
    assert entry.status == SolidarityStatus.CLOSED
    assert entry.closed_reason == "Accompagnée par le CCAS"
    assert entry.closed_at is not None
    with pytest.raises(OutreachError, match="déjà close"):
        solidarity_entry_close(entry=entry, user=alice, reason="Encore")


def test_a_follow_up_note_is_appended_dated_and_signed(alice, actis_household):
    entry = make_entry(actis_household)
    entry.follow_up = "10/03/2026 : courses"
    entry.save()
    solidarity_entry_update_follow_up(entry=entry, user=alice, note="Appelée, va mieux")
    entry.refresh_from_db()
    lines = entry.follow_up.splitlines()
    assert lines[0] == "10/03/2026 : courses"
    assert lines[1].endswith(f"{alice.get_full_name()} : Appelée, va mieux")
    with pytest.raises(OutreachError, match="note de suivi"):
        solidarity_entry_update_follow_up(entry=entry, user=alice, note="")


def test_a_closed_entry_takes_no_more_follow_up(alice, actis_household):
    entry = make_entry(actis_household, status=SolidarityStatus.CLOSED)
    with pytest.raises(OutreachError, match="déjà close"):
        solidarity_entry_update_follow_up(entry=entry, user=alice, note="Trop tard")


# ---------------------------------------------------------------------------------------------
# Partner pages


def test_partner_list_shows_mine_and_shared_with_contact_links(
    client, alice, actis, sdh, shared_partner
):
    make_partner(
        actis,
        name="Entraide Arlequin",
        kind=PartnerKind.MUTUAL_AID,
        city="Grenoble",
        phone="+33476000001",
        email="entraide@exemple.fr",
    )
    make_partner(sdh, name="Partenaire de la SDH")
    client.force_login(alice)
    response = client.get(reverse("outreach:partner_list"))
    page = response.content.decode()
    assert [p.name for p in response.context["partners"]] == [
        "CCAS d'Échirolles",
        "Entraide Arlequin",
    ]
    assert 'href="tel:+33476000001"' in page
    assert "04 76 00 00 01" in page
    assert 'href="mailto:entraide@exemple.fr"' in page
    assert "Plateforme d&#x27;entraide" in page  # the kind, in words
    assert "Partenaire de la SDH" not in page
    # A caller reads the list but cannot add or change partners.
    assert reverse("outreach:partner_create") not in page


def test_a_supervisor_adds_a_partner_from_the_page(client, bob, actis):
    client.force_login(bob)
    url = reverse("outreach:partner_create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "landlord": actis.pk,
            "name": "Épicerie solidaire",
            "kind": PartnerKind.MUTUAL_AID,
            "city": "Grenoble",
            "phone": "04 76 00 00 02",
            "website": "epicerie.example",
            "is_active": "on",
        },
        follow=True,
    )
    partner = Partner.objects.get(name="Épicerie solidaire")
    assert partner.landlord == actis
    assert partner.website == "https://epicerie.example"
    assert "Partenaire « Épicerie solidaire » ajouté." in _messages(response)


def test_a_supervisor_cannot_create_a_shared_partner_from_the_page(client, bob):
    client.force_login(bob)
    response = client.post(
        reverse("outreach:partner_create"), {"name": "Commun", "kind": PartnerKind.OTHER}
    )
    assert response.status_code == 200
    assert "landlord" in response.context["form"].errors
    assert not Partner.objects.exists()


def test_partner_pages_refuse_roles_without_access(client, alice, technician, actis):
    partner = make_partner(actis)
    client.force_login(alice)  # a caller: reads, does not edit
    assert client.get(reverse("outreach:partner_create")).status_code == 403
    assert client.get(reverse("outreach:partner_update", args=[partner.pk])).status_code == 403
    client.force_login(technician)
    assert client.get(reverse("outreach:partner_list")).status_code == 403


def test_partner_update_of_another_landlord_or_shared_answers_404(
    client, bob, actis, sdh, shared_partner, superuser
):
    mine = make_partner(actis, name="Mine")
    theirs = make_partner(sdh, name="Theirs")
    client.force_login(bob)
    assert client.get(reverse("outreach:partner_update", args=[mine.pk])).status_code == 200
    assert client.get(reverse("outreach:partner_update", args=[theirs.pk])).status_code == 404
    url = reverse("outreach:partner_update", args=[shared_partner.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Pirate", "kind": "other"}).status_code == 404
    client.force_login(superuser)
    response = client.post(
        url, {"name": "CCAS d'Échirolles", "kind": PartnerKind.SENIOR_SERVICE, "city": "38130"}
    )
    assert response.status_code == 302
    shared_partner.refresh_from_db()
    assert shared_partner.city == "38130"
    assert shared_partner.landlord is None


def test_a_supervisor_edits_their_partner(client, bob, actis):
    partner = make_partner(actis, name="Ancien nom")
    client.force_login(bob)
    client.post(
        reverse("outreach:partner_update", args=[partner.pk]),
        {"name": "Nouveau nom", "kind": PartnerKind.HEALTH, "is_active": "on"},
    )
    partner.refresh_from_db()
    assert (partner.name, partner.kind, partner.landlord) == ("Nouveau nom", "health", actis)


# ---------------------------------------------------------------------------------------------
# Referral pages


def test_referral_list_shows_open_referrals_first(client, alice, bob, actis):
    partner = make_partner(actis)
    households = bulk_households(actis, 4)
    closed = make_referral(households[0], partner, by=alice, status=ReferralStatus.CLOSED)
    acknowledged = make_referral(households[1], partner, by=alice, status="acknowledged")
    to_send = make_referral(households[2], partner, by=alice, status=ReferralStatus.TO_SEND)
    sent = make_referral(households[3], partner, by=alice, status=ReferralStatus.SENT)
    for user in (alice, bob):
        client.force_login(user)
        response = client.get(reverse("outreach:referral_list"))
        assert list(response.context["referrals"]) == [to_send, sent, acknowledged, closed]


def test_referral_list_filters_by_status_and_partner(client, bob, actis, shared_partner):
    mine = make_partner(actis, name="Entraide")
    first, second, third = bulk_households(actis, 3)
    a = make_referral(first, mine, by=bob)
    b = make_referral(second, shared_partner, by=bob)
    c = make_referral(third, mine, by=bob, status=ReferralStatus.CLOSED)
    client.force_login(bob)
    url = reverse("outreach:referral_list")
    assert list(client.get(url, {"etat": "open"}).context["referrals"]) == [b, a]  # newest first
    assert list(client.get(url, {"etat": "closed"}).context["referrals"]) == [c]
    assert list(client.get(url, {"partenaire": shared_partner.pk}).context["referrals"]) == [b]
    both = client.get(url, {"partenaire": mine.pk, "etat": "to_send"})
    assert list(both.context["referrals"]) == [a]
    # Unknown values are ignored rather than failing.
    assert len(client.get(url, {"etat": "nope", "partenaire": "x"}).context["referrals"]) == 3


def test_referral_list_pages_by_page_size(client, bob, actis, settings):
    partner = make_partner(actis)
    Referral.objects.bulk_create(
        Referral(landlord=actis, household=h, partner=partner, reason="x", created_by=bob)
        for h in bulk_households(actis, 60)
    )
    client.force_login(bob)
    url = reverse("outreach:referral_list")
    assert len(client.get(url).context["referrals"]) == 50
    assert len(client.get(url, {"page": 2}).context["referrals"]) == 10


def test_referral_list_is_scoped_and_refuses_other_roles(
    client, alice, charlie, technician, actis_household
):
    make_referral(actis_household, make_partner(actis_household.landlord), by=alice)
    client.force_login(charlie)
    response = client.get(reverse("outreach:referral_list"))
    assert list(response.context["referrals"]) == []
    assert actis_household.name not in response.content.decode()
    client.force_login(technician)
    assert client.get(reverse("outreach:referral_list")).status_code == 403


def test_a_caller_marks_a_referral_sent_from_the_list(client, alice, actis_household):
    referral = make_referral(actis_household, make_partner(actis_household.landlord), by=alice)
    client.force_login(alice)
    list_url = reverse("outreach:referral_list") + "?etat=open"
    page = client.get(list_url).content.decode()
    assert "Passer à « transmise »" in page
    response = client.post(
        reverse("outreach:referral_status", args=[referral.pk]),
        {"status": ReferralStatus.SENT, "next": list_url},
    )
    assert response.status_code == 302
    assert response.url == list_url
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    page = client.get(list_url).content.decode()
    assert "modifiée le" in page
    assert alice.get_full_name() in page


def test_a_refused_referral_transition_shows_a_french_error_and_changes_nothing(
    client, alice, actis_household
):
    referral = make_referral(
        actis_household,
        make_partner(actis_household.landlord),
        by=alice,
        status=ReferralStatus.CLOSED,
    )
    client.force_login(alice)
    response = client.post(
        reverse("outreach:referral_status", args=[referral.pk]),
        {"status": ReferralStatus.SENT, "next": "https://evil.example/"},
        follow=True,
    )
    assert response.redirect_chain[0][0] == reverse("outreach:referral_list")
    assert "Une orientation « close » ne peut pas passer à « transmise »." in _messages(response)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED


def test_referral_status_of_another_landlord_answers_404(
    client, alice, charlie, technician, actis_household
):
    referral = make_referral(actis_household, make_partner(actis_household.landlord), by=alice)
    url = reverse("outreach:referral_status", args=[referral.pk])
    client.force_login(charlie)
    assert client.post(url, {"status": ReferralStatus.SENT}).status_code == 404
    client.force_login(technician)
    assert client.post(url, {"status": ReferralStatus.SENT}).status_code == 403
    client.force_login(alice)
    assert client.get(url).status_code == 405
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.TO_SEND


# ---------------------------------------------------------------------------------------------
# Solidarity register pages


def test_register_lists_open_entries_by_default_and_closed_on_request(
    client, alice, actis, sdh_household
):
    first, second = bulk_households(actis, 2)
    open_entry = make_entry(first, need="Isolée, besoin de courses")
    closed_entry = make_entry(second, status=SolidarityStatus.CLOSED)
    make_entry(sdh_household, need="Besoin côté SDH")
    client.force_login(alice)
    url = reverse("outreach:solidarity_list")
    response = client.get(url)
    assert list(response.context["entries"]) == [open_entry]
    page = response.content.decode()
    assert "Isolée, besoin de courses" in page
    assert "10/03/2026" in page
    assert "Besoin côté SDH" not in page
    closed_page = client.get(url, {"etat": "closed"})
    assert list(closed_page.context["entries"]) == [closed_entry]
    assert "Suivie par le CCAS" in closed_page.content.decode()
    assert len(client.get(url, {"etat": "all"}).context["entries"]) == 2


def test_register_refuses_a_role_without_access(client, technician):
    client.force_login(technician)
    assert client.get(reverse("outreach:solidarity_list")).status_code == 403


def test_closing_an_entry_without_reason_shows_a_french_error(client, alice, actis_household):
    entry = make_entry(actis_household)
    client.force_login(alice)
    response = client.post(
        reverse("outreach:solidarity_close", args=[entry.pk]), {"reason": " "}, follow=True
    )
    assert "Indiquez le motif de la clôture." in _messages(response)
    entry.refresh_from_db()
    assert entry.status == SolidarityStatus.OPEN


def test_closing_an_entry_with_a_reason_from_the_register(client, bob, actis_household):
    entry = make_entry(actis_household)
    client.force_login(bob)
    response = client.post(
        reverse("outreach:solidarity_close", args=[entry.pk]),
        {"reason": "Relayée au CCAS", "next": reverse("outreach:solidarity_list")},
        follow=True,
    )
    entry.refresh_from_db()
    assert entry.status == SolidarityStatus.CLOSED
    assert entry.closed_reason == "Relayée au CCAS"
    assert list(response.context["entries"]) == []  # it left the open register


def test_a_follow_up_note_from_the_register(client, alice, actis_household):
    entry = make_entry(actis_household)
    client.force_login(alice)
    response = client.post(
        reverse("outreach:solidarity_follow_up", args=[entry.pk]),
        {"note": "Rappelée : la voisine fait ses courses"},
        follow=True,
    )
    assert "la voisine fait ses courses" in response.content.decode()
    entry.refresh_from_db()
    assert "Rappelée : la voisine fait ses courses" in entry.follow_up


def test_register_actions_on_another_landlords_entry_answer_404(
    client, charlie, technician, actis_household
):
    entry = make_entry(actis_household)
    close_url = reverse("outreach:solidarity_close", args=[entry.pk])
    follow_url = reverse("outreach:solidarity_follow_up", args=[entry.pk])
    client.force_login(charlie)
    assert client.post(close_url, {"reason": "Piratage"}).status_code == 404
    assert client.post(follow_url, {"note": "Piratage"}).status_code == 404
    client.force_login(technician)
    assert client.post(close_url, {"reason": "Piratage"}).status_code == 403
    entry.refresh_from_db()
    assert (entry.status, entry.follow_up) == (SolidarityStatus.OPEN, "")


def test_follow_up_pages_send_anonymous_visitors_to_login(client):
    response = client.get(reverse("outreach:solidarity_list"))
    assert response.status_code == 302
    assert reverse("login") in response.url


# ---------------------------------------------------------------------------------------------
# Constant number of queries


def _add_rows(landlord, user, count):
    partner = Partner.objects.filter(landlord=landlord).first() or make_partner(landlord)
    Partner.objects.bulk_create(
        Partner(landlord=landlord, name=f"Partenaire {n}", kind=PartnerKind.OTHER)
        for n in range(count)
    )
    existing = set(Household.objects.filter(landlord=landlord).values_list("pk", flat=True))
    new = [h for h in bulk_households(landlord, count) if h.pk not in existing]
    referrals = Referral.objects.bulk_create(
        Referral(landlord=landlord, household=h, partner=partner, reason="x", created_by=user)
        for h in new
    )
    for referral in referrals[:3]:  # some with a recorded change, to show who changed them
        referral_set_status(referral=referral, user=user, status=ReferralStatus.SENT)
    SolidarityEntry.objects.bulk_create(
        SolidarityEntry(
            landlord=landlord, household=h, found_on=datetime.date(2026, 3, 1), need="x"
        )
        for h in new
    )


@pytest.mark.parametrize(
    "url_name",
    ["outreach:partner_list", "outreach:referral_list", "outreach:solidarity_list"],
)
def test_follow_up_lists_run_the_same_number_of_queries_for_10_and_200_rows(
    client, bob, actis, settings, url_name
):
    settings.PAGE_SIZE = 500
    client.force_login(bob)
    url = reverse(url_name)
    _add_rows(actis, bob, 10)
    client.get(url)  # warm the session and the content-type caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _add_rows(actis, bob, 190)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    rows = response.context["paginator"].count
    assert rows >= 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# ---------------------------------------------------------------------------------------------
# Shared partners seed


def test_seed_partners_creates_the_shared_partners_once():
    out = io.StringIO()
    call_command("seed_partners", stdout=out)
    assert "créés : 4 ; déjà présents : 0" in out.getvalue()
    Partner.objects.filter(name="CCAS de Grenoble").update(phone="+33476000003")
    out = io.StringIO()
    call_command("seed_partners", stdout=out)
    assert "créés : 0 ; déjà présents : 4" in out.getvalue()
    shared = Partner.objects.filter(landlord__isnull=True)
    assert sorted(shared.values_list("name", flat=True)) == [
        "CCAS d'Échirolles",
        "CCAS de Grenoble",
        "Plateforme d'entraide d'Échirolles",
        "Plateforme d'entraide de Grenoble",
    ]
    ccas = shared.get(name="CCAS de Grenoble")
    assert ccas.kind == PartnerKind.SENIOR_SERVICE
    assert ccas.city == "Grenoble"
    assert str(ccas.phone) == "04 76 00 00 03"  # an edit made since is kept


def test_seeded_shared_partners_are_offered_to_every_landlord(alice, charlie):
    call_command("seed_partners", stdout=io.StringIO())
    for user in (alice, charlie):
        assert Partner.objects.visible_to(user).filter(landlord__isnull=True).count() == 4
