"""Letters: one per candidate once the sitting is closed, the offer with its deadline, e-mailed
once (recorded), readable by the landlord's staff and by the applicant only."""

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils.formats import date_format

from allocations.letters import decision_letter, decisions_with_letters, sitting_letters_send
from allocations.models import Decision, LetterDispatch, Offer
from allocations.tasks import send_offer_letter, send_sitting_letters
from housing.models import Role
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def test_closing_a_sitting_emails_each_letter_once_where_an_address_is_known(
    letting_sitting, mailoutbox, actis_household
):
    recipients = sorted(message.to[0] for message in mailoutbox)
    # Jeanne: two decision letters and the offer; Paul: one decision; Rita has no address.
    assert recipients == sorted([actis_household.email] * 3 + ["paul@exemple.fr"])
    assert LetterDispatch.objects.count() == 4
    offer_mail = next(m for m in mailoutbox if m.subject.startswith("Proposition de logement"))
    offer = Offer.objects.get()
    assert date_format(offer.deadline, "DATE_FORMAT") in offer_mail.subject
    assert "article R441-10" in offer_mail.body
    assert offer_mail.attachments[0][2] == "application/pdf"

    # The tasks run again (a retry, a second worker): nothing more leaves.
    assert send_sitting_letters(sitting_id=letting_sitting.pk) == 0
    assert send_offer_letter(offer_id=offer.pk) is False
    assert len(mailoutbox) == 4


def test_the_database_refuses_a_second_dispatch_of_the_same_letter(letting_sitting):
    dispatch = LetterDispatch.objects.filter(kind="decision").first()
    with pytest.raises(IntegrityError):
        LetterDispatch.objects.create(
            kind="decision",
            landlord_id=dispatch.landlord_id,
            decision_id=dispatch.decision_id,
            recipient="autre@exemple.fr",
        )


def test_the_database_refuses_a_letter_without_the_object_of_its_kind(letting_sitting):
    decision = Decision.objects.first()
    with pytest.raises(IntegrityError):
        LetterDispatch.objects.create(
            kind="offer",
            landlord_id=decision.agenda_item.vacancy.landlord_id,
            decision=decision,
            recipient="x@exemple.fr",
        )


def test_decision_letters_say_the_rank_the_condition_or_the_reason(letting_sitting):
    letters = {
        d.candidacy.application.applicant_name: decision_letter(d)
        for d in decisions_with_letters().filter(agenda_item=letting_sitting.item)
    }
    assert "au rang 2" in letters["Paul Second"].body
    assert "Ressources insuffisantes." in letters["Rita Troisième"].body
    assert "recours" in letters["Rita Troisième"].body
    assert "Elle vous a attribué ce logement." in letters["Jeanne Martin"].body


def test_no_letter_before_the_sitting_is_closed(actis, committee, client):
    from tests.allocations.conftest import add_item, make_application, make_sitting, make_vacancy

    sitting = make_sitting(committee)
    add_item(sitting, make_vacancy(actis), [make_application(actis, email="a@exemple.fr")])
    assert sitting_letters_send(sitting_id=sitting.pk) == 0
    assert not decisions_with_letters().filter(agenda_item__sitting=sitting).exists()


def test_staff_read_the_letters_as_page_and_pdf_and_another_landlord_gets_404(
    client, actis, sdh, letting_sitting
):
    decision = Decision.objects.filter(kind="non_allocation").first()
    offer = Offer.objects.get()
    agent = make_staff(actis, Role.LETTING_AGENT, email="agent@actis.example")
    client.force_login(agent)
    page = client.get(reverse("allocations:staff_letter", args=["decision", decision.pk]))
    assert page.status_code == 200
    assert decision.reason in page.content.decode()
    offer_page = client.get(reverse("allocations:staff_letter", args=["proposition", offer.pk]))
    assert "article R441-10" in offer_page.content.decode()
    assert client.get(reverse("allocations:staff_letter", args=["inconnue", 1])).status_code == 404
    pdf = client.get(reverse("allocations:staff_letter_pdf", args=["decision", decision.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    client.force_login(make_staff(sdh, Role.LETTING_AGENT, email="agent@sdh.example"))
    for kind, pk in [("decision", decision.pk), ("proposition", offer.pk)]:
        assert client.get(reverse("allocations:staff_letter", args=[kind, pk])).status_code == 404
        assert (
            client.get(reverse("allocations:staff_letter_pdf", args=[kind, pk])).status_code == 404
        )


def test_minutes_and_admin_link_to_the_decision_letters(client, actis, letting_sitting):
    secretary = make_staff(actis, Role.COMMITTEE_SECRETARY, email="sec@actis.example")
    client.force_login(secretary)
    minutes = client.get(reverse("allocations:sitting_minutes", args=[letting_sitting.pk]))
    decision = Decision.objects.first()
    assert reverse("allocations:staff_letter", args=["decision", decision.pk]) in (
        minutes.content.decode()
    )


def test_the_hourly_catch_up_sends_what_the_broker_missed_and_only_that(
    actis, committee, actis_household, applicant, mailoutbox
):
    from allocations.services import decision_record, sitting_close, sitting_open
    from allocations.tasks import send_pending_letters
    from tests.allocations.conftest import add_item, make_application, make_sitting, make_vacancy

    sitting = make_sitting(committee)
    application = make_application(actis, email="lina@exemple.fr")
    item = add_item(sitting, make_vacancy(actis), [application])
    item.fewer_candidates_reason = "not_enough"
    item.save()
    sitting_open(sitting_id=sitting.pk)
    decision_record(candidacy_id=item.candidacies.get().pk, kind="allocation", votes_for=3)
    sitting_close(sitting_id=sitting.pk)  # on-commit tasks never ran: as if the broker was down
    assert mailoutbox == []
    assert send_pending_letters() == 2  # the decision and the offer
    assert send_pending_letters() == 0
    assert [m.to for m in mailoutbox] == [["lina@exemple.fr"]] * 2


def test_admin_lists_link_to_the_letters_and_the_letting_page(client, actis, letting_sitting):
    from django.contrib.auth.models import Permission

    secretary = make_staff(
        actis, Role.COMMITTEE_SECRETARY, email="secadmin@actis.example", is_staff=True
    )
    secretary.user_permissions.set(Permission.objects.filter(content_type__app_label="allocations"))
    client.force_login(secretary)
    decision = Decision.objects.first()
    offer = Offer.objects.get()
    decisions = client.get(reverse("admin:allocations_decision_changelist")).content.decode()
    assert reverse("allocations:staff_letter", args=["decision", decision.pk]) in decisions
    offers = client.get(reverse("admin:allocations_offer_changelist")).content.decode()
    assert reverse("allocations:staff_letter", args=["proposition", offer.pk]) in offers
    vacancies = client.get(reverse("admin:allocations_vacancy_changelist")).content.decode()
    assert reverse("allocations:vacancy_letting", args=[offer.vacancy_id]) in vacancies
