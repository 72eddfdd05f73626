"""The rules of letting and of the allocation committee, through the services."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from allocations.deadlines import offer_deadline
from allocations.errors import AllocationError
from allocations.models import (
    AgendaItem,
    ApplicationStatus,
    Candidacy,
    Decision,
    Offer,
    ScoringGrid,
    Sitting,
    Vacancy,
)
from allocations.services import (
    application_save,
    application_scores,
    candidacy_add,
    candidacy_remove,
    candidates_propose,
    decision_record,
    offer_accept,
    offer_expire,
    offer_refuse,
    priority_transfer_flags_refresh,
    sitting_close,
    sitting_open,
    vacancy_create,
)
from allocations.tasks import expire_offers
from housing.models import Building
from tenants.models import VulnerabilityFlag
from tests.allocations.conftest import (
    TODAY,
    add_item,
    make_application,
    make_sitting,
    make_vacancy,
)
from tests.factories import DwellingFactory, EstateFactory, HouseholdFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def paris(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=PARIS)


# --- Letting ---------------------------------------------------------------------------------


def test_a_dwelling_under_works_cannot_be_let(actis):
    dwelling = DwellingFactory(building__landlord=actis, status="under_works")
    with pytest.raises(AllocationError, match="en travaux"):
        vacancy_create(dwelling=dwelling, available_from=TODAY)
    assert not Vacancy.objects.exists()


@pytest.mark.parametrize("status", [Building.Status.BEING_DEMOLISHED, Building.Status.DEMOLISHED])
def test_a_dwelling_of_a_building_being_demolished_cannot_be_let(actis, status):
    dwelling = DwellingFactory(building__landlord=actis, building__status=status, status="vacant")
    with pytest.raises(AllocationError, match="démolition"):
        vacancy_create(dwelling=dwelling, available_from=TODAY)


def test_a_vacant_dwelling_is_offered_once_at_its_rent(actis):
    dwelling = DwellingFactory(building__landlord=actis, status="vacant")
    vacancy = vacancy_create(
        dwelling=dwelling, available_from=TODAY, virtual_visit_url="https://vimeo.com/123"
    )
    assert vacancy.status == Vacancy.Status.TO_LET
    assert vacancy.total_monthly == dwelling.rent + dwelling.charges
    assert vacancy.embeddable_visit_url == "https://player.vimeo.com/video/123"
    with pytest.raises(AllocationError, match="déjà proposé"):
        vacancy_create(dwelling=dwelling, available_from=TODAY)


# --- Applications ----------------------------------------------------------------------------


def test_registration_number_must_match_the_configured_pattern(actis, settings):
    application = make_application(actis)
    application.registration_number = "ABC"
    with pytest.raises(AllocationError, match="n'est pas un numéro unique"):
        application_save(application=application)
    settings.ALLOCATIONS_REGISTRATION_NUMBER_PATTERN = r"^[A-Z]{3}$"
    application_save(application=application)
    application.refresh_from_db()
    assert application.registration_number == "ABC"


def test_registration_number_is_unique(actis, sdh):
    first = make_application(actis)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_application(sdh, registration_number=first.registration_number)


def test_an_application_expires_when_not_renewed_within_a_year(actis):
    application = make_application(actis, registered_on=datetime.date(2025, 3, 1))
    assert application.is_expired(TODAY)
    application.renewed_on = datetime.date(2026, 2, 1)
    assert not application.is_expired(TODAY)


def test_scoring_breakdown_sums_to_the_score_with_the_landlords_grid(actis, sdh):
    ScoringGrid.objects.create(landlord=actis, dalo=200, violence=90, per_month=2)
    household = HouseholdFactory(landlord=actis)
    application = make_application(
        actis,
        registered_on=datetime.date(2025, 3, 15),
        dalo=True,
        violence=True,
        priority_transfer=True,
        current_household=household,
    )
    score, lines = application_scores([application], today=TODAY)[application.pk]
    assert score == sum(points for _label, points in lines)
    labels = dict(lines)
    assert labels["DALO désigné par le préfet"] == 200
    assert labels["violences"] == 90
    assert labels["mutation prioritaire"] == 50
    assert labels["ancienneté : 11 mois × 2"] == 22
    assert score == 200 + 90 + 10 + 50 + 22
    # Another landlord's default grid scores the same application differently.
    application.landlord = sdh
    assert application_scores([application], today=TODAY)[application.pk][0] != score


def test_priority_transfer_application_opens_and_closes_the_household_flag(actis):
    household = HouseholdFactory(landlord=actis)
    application = make_application(actis, registered_on=TODAY, current_household=household)
    application.priority_transfer = True
    application_save(application=application, today=TODAY)
    application_save(application=application, today=TODAY)  # idempotent
    flag = VulnerabilityFlag.objects.get(household=household, kind="priority_transfer")
    assert flag.source == VulnerabilityFlag.Source.ALLOCATIONS
    assert flag.end_date is None

    application.priority_transfer = False
    application_save(application=application, today=TODAY)
    flag.refresh_from_db()
    assert flag.end_date == TODAY
    assert not VulnerabilityFlag.objects.active(TODAY + datetime.timedelta(days=1)).exists()


def test_a_flag_entered_by_staff_is_not_closed_by_the_application(actis):
    household = HouseholdFactory(landlord=actis)
    VulnerabilityFlag.objects.create(household=household, kind="priority_transfer")
    application = make_application(actis, registered_on=TODAY, current_household=household)
    application_save(application=application, today=TODAY)
    assert VulnerabilityFlag.objects.get(household=household).end_date is None


def test_priority_transfer_needs_a_current_household(actis):
    application = make_application(actis)
    application.priority_transfer = True
    with pytest.raises(AllocationError, match="ménage déjà locataire"):
        application_save(application=application)


# --- Candidates ------------------------------------------------------------------------------


def test_proposed_candidates_match_the_vacancy_and_come_best_scored_first(actis, sdh, committee):
    vacancy = make_vacancy(actis, typology="T3")
    other_estate = EstateFactory(slug="villeneuve-echirolles", name="Villeneuve d'Échirolles")
    low = make_application(actis, registered_on=datetime.date(2025, 12, 1))
    dalo = make_application(actis, dalo=True, wished_typologies=["T3", "T4"])
    violence = make_application(actis, violence=True)
    disability = make_application(actis, disability=True)
    wants_t2 = make_application(actis, dalo=True, wished_typologies=["T2"])
    elsewhere = make_application(actis, dalo=True)
    elsewhere.wished_estates.set([other_estate])
    expired = make_application(actis, dalo=True, registered_on=datetime.date(2024, 6, 1))
    housed = make_application(actis, dalo=True, status=ApplicationStatus.HOUSED)
    other_landlord = make_application(sdh, dalo=True)
    item = add_item(make_sitting(committee), vacancy)

    assert candidates_propose(agenda_item_id=item.pk, today=TODAY) == 3

    proposed = list(item.candidacies.order_by("-score").values_list("application", flat=True))
    assert proposed == [dalo.pk, violence.pk, disability.pk]
    left_out = {low, wants_t2, elsewhere, expired, housed, other_landlord}
    assert not item.candidacies.filter(application__in=left_out).exists()
    # Proposing again adds nobody: the item has its three candidates.
    assert candidates_propose(agenda_item_id=item.pk, today=TODAY) == 0


def test_an_expired_application_is_never_proposed_nor_added(actis, committee):
    expired = make_application(actis, registered_on=datetime.date(2024, 6, 1))
    item = add_item(make_sitting(committee), make_vacancy(actis))
    assert candidates_propose(agenda_item_id=item.pk, today=TODAY) == 0
    with pytest.raises(AllocationError, match="n'a pas été renouvelée"):
        candidacy_add(agenda_item_id=item.pk, application=expired, today=TODAY)


def test_the_secretary_adds_and_removes_a_candidate(actis, committee):
    application = make_application(actis, registered_on=TODAY)
    item = add_item(make_sitting(committee), make_vacancy(actis))
    candidacy = candidacy_add(agenda_item_id=item.pk, application=application, today=TODAY)
    with pytest.raises(AllocationError, match="déjà candidat"):
        candidacy_add(agenda_item_id=item.pk, application=application, today=TODAY)
    candidacy_remove(candidacy_id=candidacy.pk)
    assert not item.candidacies.exists()


# --- Sittings and decisions --------------------------------------------------------------------


def test_a_sitting_opens_only_with_its_quorum_of_voting_members(actis, committee):
    advisory_and_one = committee.members.filter(has_vote=False) | committee.members.filter(
        name="Membre 1"
    )
    sitting = make_sitting(committee, present=advisory_and_one)
    with pytest.raises(AllocationError, match="quorum n'est pas atteint : 1 membre"):
        sitting_open(sitting_id=sitting.pk)
    sitting.members_present.set(committee.members.all())
    sitting_open(sitting_id=sitting.pk)
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.OPEN


@pytest.fixture
def open_item(actis, committee):
    """An open sitting with one vacancy and three candidates."""
    sitting = make_sitting(committee)
    applications = [make_application(actis, registered_on=TODAY) for _ in range(3)]
    item = add_item(sitting, make_vacancy(actis), applications)
    sitting_open(sitting_id=sitting.pk)
    return item


def _candidacies(item):
    return list(item.candidacies.order_by("pk"))


def test_quorum_is_checked_again_before_each_decision(open_item, committee):
    open_item.sitting.members_present.set(committee.members.filter(name="Membre 1"))
    first = _candidacies(open_item)[0]
    with pytest.raises(AllocationError, match="quorum"):
        decision_record(candidacy_id=first.pk, kind="allocation", votes_for=1)
    assert not Decision.objects.exists()


@pytest.mark.parametrize("kind", ["non_allocation", "inadmissible"])
def test_a_non_allocation_or_inadmissibility_needs_a_reason(open_item, kind):
    first = _candidacies(open_item)[0]
    with pytest.raises(AllocationError, match="motif est obligatoire"):
        decision_record(candidacy_id=first.pk, kind=kind, reason="  ", votes_for=3)
    decision = decision_record(
        candidacy_id=first.pk, kind=kind, reason="Ressources au-delà du plafond.", votes_for=3
    )
    assert decision.rank is None


def test_a_conditional_allocation_needs_the_document_and_its_deadline(open_item):
    first = _candidacies(open_item)[0]
    with pytest.raises(AllocationError, match="pièce manquante"):
        decision_record(
            candidacy_id=first.pk, kind="conditional", rank=1, votes_for=3,
            missing_document="Avis d'imposition",
        )  # fmt: skip
    decision = decision_record(
        candidacy_id=first.pk,
        kind="conditional",
        rank=1,
        votes_for=3,
        missing_document="Avis d'imposition",
        document_deadline=TODAY + datetime.timedelta(days=15),
    )
    assert decision.document_deadline == TODAY + datetime.timedelta(days=15)


def test_only_one_rank_one_per_vacancy(open_item):
    first, second, _third = _candidacies(open_item)
    decision_record(candidacy_id=first.pk, kind="allocation", votes_for=3)
    with pytest.raises(AllocationError, match="rang 1 est déjà attribué"):
        decision_record(candidacy_id=second.pk, kind="ranked", rank=1, votes_for=3)
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            candidacy=second, agenda_item=open_item, kind="ranked", rank=1, votes_for=3
        )


def test_votes_cannot_exceed_voters_and_a_tie_needs_the_casting_vote(open_item, committee):
    first = _candidacies(open_item)[0]
    with pytest.raises(AllocationError, match="5 voix exprimées pour 4"):
        decision_record(candidacy_id=first.pk, kind="allocation", votes_for=3, votes_against=2)
    decision = decision_record(
        candidacy_id=first.pk, kind="allocation", votes_for=2, votes_against=2
    )
    assert (decision.votes_for, decision.votes_against) == (2, 2)
    open_item.sitting.members_present.remove(committee.members.get(casting_vote=True))
    with pytest.raises(AllocationError, match="voix prépondérante"):
        decision_record(candidacy_id=first.pk, kind="allocation", votes_for=1, votes_against=1)


def _decide_all(item):
    first, second, third = _candidacies(item)
    decision_record(candidacy_id=first.pk, kind="allocation", votes_for=3)
    decision_record(candidacy_id=second.pk, kind="ranked", rank=2, votes_for=3)
    decision_record(candidacy_id=third.pk, kind="ranked", rank=3, votes_for=3)
    return first, second, third


def test_fewer_than_three_candidates_without_a_reason_blocks_closing(actis, committee):
    sitting = make_sitting(committee)
    lone = make_application(actis, registered_on=TODAY, dalo=True)
    item = add_item(sitting, make_vacancy(actis), [lone])
    sitting_open(sitting_id=sitting.pk)
    decision_record(candidacy_id=item.candidacies.get().pk, kind="allocation", votes_for=3)

    with pytest.raises(AllocationError, match="1 candidat\\(s\\) ; au moins trois"):
        sitting_close(sitting_id=sitting.pk)
    assert Sitting.objects.get(pk=sitting.pk).status == Sitting.Status.OPEN

    AgendaItem.objects.filter(pk=item.pk).update(fewer_candidates_reason="dalo")
    sitting_close(sitting_id=sitting.pk)
    assert Sitting.objects.get(pk=sitting.pk).status == Sitting.Status.CLOSED


def test_a_candidate_without_a_decision_blocks_closing(open_item):
    first = _candidacies(open_item)[0]
    decision_record(candidacy_id=first.pk, kind="allocation", votes_for=3)
    with pytest.raises(AllocationError, match="2 candidat\\(s\\) sans décision"):
        sitting_close(sitting_id=open_item.sitting_id)


def test_a_closed_sitting_is_frozen(actis, open_item):
    first, second, _third = _decide_all(open_item)
    sitting_close(sitting_id=open_item.sitting_id)
    frozen = "séance est close"
    with pytest.raises(AllocationError, match=frozen):
        decision_record(candidacy_id=second.pk, kind="allocation", votes_for=3)
    with pytest.raises(AllocationError, match=frozen):
        candidacy_add(
            agenda_item_id=open_item.pk,
            application=make_application(actis, registered_on=TODAY),
            today=TODAY,
        )
    with pytest.raises(AllocationError, match=frozen):
        candidacy_remove(candidacy_id=first.pk)
    with pytest.raises(AllocationError, match=frozen):
        candidates_propose(agenda_item_id=open_item.pk, today=TODAY)
    with pytest.raises(AllocationError, match=frozen):
        sitting_close(sitting_id=open_item.sitting_id)
    assert Decision.objects.get(candidacy=second).rank == 2


# --- Offers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent_on", "deadline"),
    [
        (datetime.date(2026, 3, 2), datetime.date(2026, 3, 12)),  # Monday → Thursday
        (datetime.date(2026, 3, 4), datetime.date(2026, 3, 16)),  # ends on Saturday → Monday
        (datetime.date(2026, 3, 5), datetime.date(2026, 3, 16)),  # ends on Sunday → Monday
        (datetime.date(2026, 3, 27), datetime.date(2026, 4, 7)),  # Easter Monday → Tuesday
        (datetime.date(2026, 4, 28), datetime.date(2026, 5, 11)),  # 8 May (Fri), then weekend
    ],
)
def test_offer_deadline_is_ten_days_moved_past_weekends_and_public_holidays(sent_on, deadline):
    assert offer_deadline(sent_on) == deadline
    assert (deadline - sent_on).days >= 10


def _close_with_offer(item):
    _decide_all(item)
    sitting_close(sitting_id=item.sitting_id, now=paris(2026, 3, 2, 18))
    return Offer.objects.get()


def test_closing_offers_the_dwelling_to_rank_one_with_a_deadline(open_item):
    offer = _close_with_offer(open_item)
    first = _candidacies(open_item)[0]
    assert offer.application_id == first.application_id
    assert offer.deadline == datetime.date(2026, 3, 12)
    assert Vacancy.objects.get().status == Vacancy.Status.OFFERED


def test_accepting_lets_the_vacancy_and_houses_the_applicant(actis, committee):
    household = HouseholdFactory(landlord=actis)
    sitting = make_sitting(committee)
    mover = make_application(
        actis, registered_on=TODAY, priority_transfer=True, current_household=household
    )
    application_save(application=mover, today=TODAY)
    others = [make_application(actis, registered_on=TODAY) for _ in range(2)]
    item = add_item(sitting, make_vacancy(actis), [mover, *others])
    sitting_open(sitting_id=sitting.pk)
    offer = _close_with_offer(item)

    offer_accept(offer_id=offer.pk)
    assert Vacancy.objects.get().status == Vacancy.Status.LET
    mover.refresh_from_db()
    assert mover.status == ApplicationStatus.HOUSED
    assert VulnerabilityFlag.objects.get(household=household).end_date is not None
    with pytest.raises(AllocationError, match="n'attend plus de réponse"):
        offer_refuse(offer_id=offer.pk)


def test_a_refusal_offers_the_dwelling_to_the_next_rank(open_item):
    offer = _close_with_offer(open_item)
    _first, second, third = _candidacies(open_item)
    following = offer_refuse(offer_id=offer.pk)
    assert following.application_id == second.application_id
    last = offer_refuse(offer_id=following.pk)
    assert last.application_id == third.application_id
    assert offer_refuse(offer_id=last.pk) is None
    assert Vacancy.objects.get().status == Vacancy.Status.TO_LET


def test_expiry_cascades_to_the_next_rank_exactly_once_even_if_run_twice(open_item):
    offer = _close_with_offer(open_item)
    second = _candidacies(open_item)[1]
    before_deadline = paris(2026, 3, 12, 23)
    assert offer_expire(offer_id=offer.pk, now=before_deadline) is False

    after = paris(2026, 3, 13, 8)
    assert offer_expire(offer_id=offer.pk, now=after) is True
    assert offer_expire(offer_id=offer.pk, now=after) is False
    offers = Offer.objects.order_by("sent_at", "pk")
    assert [o.status for o in offers] == ["expired", "pending"]
    assert offers[1].application_id == second.application_id


def test_the_expiry_task_is_idempotent(open_item, time_machine):
    offer = _close_with_offer(open_item)
    time_machine.move_to(datetime.datetime(2026, 3, 13, 9, tzinfo=datetime.UTC))
    assert expire_offers() == 1
    assert expire_offers() == 0
    assert Offer.objects.count() == 2
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.EXPIRED


def test_sitting_mode_needs_its_place_or_link(committee):
    sitting = Sitting(committee=committee, date=timezone.now(), mode="hybrid", place="Agence")
    with pytest.raises(ValidationError, match="lien de visioconférence"):
        sitting.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Sitting.objects.create(committee=committee, date=timezone.now(), mode="in_person")


def test_a_candidacy_is_unique_per_item(open_item):
    first = _candidacies(open_item)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Candidacy.objects.create(agenda_item=open_item, application=first.application)


def test_daily_refresh_closes_the_flag_of_an_expired_priority_transfer(actis):
    expiring, renewed = HouseholdFactory(landlord=actis), HouseholdFactory(landlord=actis)
    for household, registered_on in [(expiring, datetime.date(2025, 2, 1)), (renewed, TODAY)]:
        application = make_application(
            actis, registered_on=registered_on, current_household=household
        )
        application.priority_transfer = True
        application_save(application=application, today=registered_on)
    staff_flagged = HouseholdFactory(landlord=actis)
    VulnerabilityFlag.objects.create(household=staff_flagged, kind="priority_transfer")

    assert priority_transfer_flags_refresh(today=TODAY) == (0, 1)
    assert priority_transfer_flags_refresh(today=TODAY) == (0, 0)
    still_open = VulnerabilityFlag.objects.filter(end_date__isnull=True)
    assert set(still_open.values_list("household", flat=True)) == {renewed.pk, staff_flagged.pk}
