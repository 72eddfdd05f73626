"""Letting and committee rules: every write that carries a rule goes through a function here.

Each service is keyword-only, runs in a transaction and raises :class:`AllocationError` with a
French message when a rule is not met.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from allocations.deadlines import offer_deadline
from allocations.errors import AllocationError
from allocations.events import letting_event_record
from allocations.models import (
    ALLOCATING_KINDS,
    MIN_CANDIDATES,
    AgendaItem,
    ApplicationStatus,
    Candidacy,
    Decision,
    DecisionKind,
    HousingApplication,
    LettingStep,
    OccupancyReview,
    Offer,
    OfferStatus,
    ScoringGrid,
    Sitting,
    SittingStatus,
    Vacancy,
    VacancyStatus,
    not_expired,
)
from housing.models import BuildingStatus, Dwelling, DwellingStatus
from portal.tasks import enqueue_on_commit
from tenants.flags import priority_transfer_flag_sync, priority_transfer_flags_reconcile

NOT_LETTABLE_BUILDING = [BuildingStatus.BEING_DEMOLISHED, BuildingStatus.DEMOLISHED]


def candidates_per_vacancy() -> int:
    return getattr(settings, "ALLOCATIONS_CANDIDATES_PER_VACANCY", MIN_CANDIDATES)


# ---------------------------------------------------------------------------------------------
# Letting


def dwelling_check_lettable(dwelling: Dwelling) -> None:
    if dwelling.status == DwellingStatus.UNDER_WORKS:
        raise AllocationError(
            _("Le logement %(ref)s est en travaux : il ne peut pas être loué.")
            % {"ref": dwelling.reference}
        )
    if dwelling.building.status in NOT_LETTABLE_BUILDING:
        raise AllocationError(
            _(
                "L'immeuble %(building)s est démoli ou en cours de démolition : ses logements ne peuvent pas être loués."
            )
            % {"building": dwelling.building.name}
        )


@transaction.atomic
def vacancy_create(
    *,
    dwelling: Dwelling,
    available_from: datetime.date,
    rent=None,
    charges=None,
    description: str = "",
    virtual_visit_url: str = "",
) -> Vacancy:
    """Offer a dwelling for letting (rent and charges default to the dwelling's)."""
    dwelling_check_lettable(dwelling)
    vacancy = Vacancy(
        landlord_id=dwelling.landlord_id,
        dwelling=dwelling,
        available_from=available_from,
        rent=dwelling.rent if rent is None else rent,
        charges=dwelling.charges if charges is None else charges,
        description=description,
        virtual_visit_url=virtual_visit_url,
    )
    try:
        vacancy.full_clean()
    except ValidationError as error:
        raise AllocationError(" ".join(error.messages)) from error
    try:
        with transaction.atomic():
            vacancy.save()
    except IntegrityError as error:
        raise AllocationError(_("Ce logement est déjà proposé à la location.")) from error
    return vacancy


# ---------------------------------------------------------------------------------------------
# Applications and scoring


def scoring_grid_for(landlord_id: int) -> ScoringGrid:
    """The landlord's grid; an unsaved grid with the default points when none is configured."""
    grid = ScoringGrid.objects.filter(landlord_id=landlord_id).first()
    return grid or ScoringGrid(landlord_id=landlord_id)


def application_scores(
    applications, *, today: datetime.date | None = None
) -> dict[int, tuple[int, list[tuple[str, int]]]]:
    """{application id: (score, breakdown)} with one query for the grids."""
    grids = {
        grid.landlord_id: grid
        for grid in ScoringGrid.objects.filter(
            landlord_id__in={a.landlord_id for a in applications}
        )
    }
    result = {}
    for application in applications:
        grid = grids.get(application.landlord_id) or ScoringGrid(
            landlord_id=application.landlord_id
        )
        lines = grid.breakdown(application, today)
        result[application.pk] = (sum(points for _label, points in lines), lines)
    return result


def _sync_flag(application: HousingApplication, today: datetime.date | None = None) -> None:
    if application.current_household_id:
        active = (
            application.priority_transfer
            and application.status == ApplicationStatus.ACTIVE
            and not application.is_expired(today)
        )
        priority_transfer_flag_sync(
            household_id=application.current_household_id, active=active, today=today
        )


@transaction.atomic
def application_save(
    *, application: HousingApplication, today: datetime.date | None = None
) -> HousingApplication:
    """Validate and save an application; keep the household's priority-transfer flag in step."""
    previous_household_id = None
    if application.pk:
        previous_household_id = (
            HousingApplication.objects.filter(pk=application.pk)
            .values_list("current_household_id", flat=True)
            .first()
        )
    try:
        application.full_clean()
    except ValidationError as error:
        raise AllocationError(" ".join(error.messages)) from error
    application.save()
    if previous_household_id and previous_household_id != application.current_household_id:
        priority_transfer_flag_sync(household_id=previous_household_id, active=False, today=today)
    _sync_flag(application, today)
    return application


def priority_transfer_flags_refresh(*, today: datetime.date | None = None) -> tuple[int, int]:
    """Daily: households with a live priority-transfer application have the flag, others lose
    the one the allocations opened (an application not renewed within a year expires)."""
    live = not_expired(
        HousingApplication.objects.filter(
            status=ApplicationStatus.ACTIVE,
            priority_transfer=True,
            current_household__isnull=False,
        ),
        today,
    ).values_list("current_household_id", flat=True)
    return priority_transfer_flags_reconcile(household_ids=list(live), today=today)


# ---------------------------------------------------------------------------------------------
# Agenda and candidates


def _lock_sitting(sitting_id: int) -> Sitting:
    return Sitting.objects.select_for_update().select_related("committee").get(pk=sitting_id)


def _check_not_closed(sitting: Sitting) -> None:
    if sitting.status == SittingStatus.CLOSED:
        raise AllocationError(_("La séance est close : ses décisions ne peuvent plus changer."))


def matching_applications(vacancy: Vacancy, *, today: datetime.date | None = None):
    """Active, non-expired applications of the landlord wishing this estate and typology."""
    dwelling = vacancy.dwelling
    queryset = not_expired(
        HousingApplication.objects.filter(
            landlord_id=vacancy.landlord_id, status=ApplicationStatus.ACTIVE
        ),
        today,
    ).filter(
        Q(wished_estates=dwelling.building.estate_id) | Q(wished_estates__isnull=True),
    )
    # Typologies are a JSON list: filtered here, the same way on SQLite and PostgreSQL.
    return [
        application
        for application in queryset.distinct()
        if not application.wished_typologies or dwelling.typology in application.wished_typologies
    ]


@transaction.atomic
def candidates_propose(*, agenda_item_id: int, today: datetime.date | None = None) -> int:
    """Add the best-scored matching applications until the item has enough candidates."""
    item = AgendaItem.objects.select_related("vacancy__dwelling__building", "sitting").get(
        pk=agenda_item_id
    )
    _check_not_closed(_lock_sitting(item.sitting_id))
    already = set(item.candidacies.values_list("application_id", flat=True))
    wanted = candidates_per_vacancy() - len(already)
    if wanted <= 0:
        return 0
    applications = [
        a for a in matching_applications(item.vacancy, today=today) if a.pk not in already
    ]
    scores = application_scores(applications, today=today)
    applications.sort(key=lambda a: (-scores[a.pk][0], a.registered_on, a.pk))
    Candidacy.objects.bulk_create(
        [
            Candidacy(agenda_item=item, application=a, score=scores[a.pk][0])
            for a in applications[:wanted]
        ],
        ignore_conflicts=True,
    )
    return min(wanted, len(applications))


@transaction.atomic
def candidacy_add(
    *, agenda_item_id: int, application: HousingApplication, today: datetime.date | None = None
) -> Candidacy:
    item = AgendaItem.objects.select_related("vacancy").get(pk=agenda_item_id)
    _check_not_closed(_lock_sitting(item.sitting_id))
    if application.landlord_id != item.vacancy.landlord_id:
        raise AllocationError(_("Cette demande n'est pas instruite par le bailleur du logement."))
    if application.status != ApplicationStatus.ACTIVE or application.is_expired(today):
        raise AllocationError(
            _("La demande %(number)s n'est pas active ou n'a pas été renouvelée depuis un an.")
            % {"number": application.registration_number}
        )
    score, _lines = application_scores([application], today=today)[application.pk]
    candidacy, created = Candidacy.objects.get_or_create(
        agenda_item=item, application=application, defaults={"score": score}
    )
    if not created:
        raise AllocationError(_("Ce demandeur est déjà candidat pour ce logement."))
    return candidacy


@transaction.atomic
def candidacy_remove(*, candidacy_id: int) -> None:
    candidacy = Candidacy.objects.select_related("agenda_item").get(pk=candidacy_id)
    _check_not_closed(_lock_sitting(candidacy.agenda_item.sitting_id))
    if Decision.objects.filter(candidacy=candidacy).exists():
        raise AllocationError(
            _("Une décision est enregistrée pour ce candidat : il reste inscrit.")
        )
    candidacy.delete()


@transaction.atomic
def agenda_item_set_reason(*, agenda_item_id: int, reason: str) -> AgendaItem:
    item = AgendaItem.objects.get(pk=agenda_item_id)
    _check_not_closed(_lock_sitting(item.sitting_id))
    if reason and reason not in AgendaItem.FewerReason.values:
        raise AllocationError(_("Motif inconnu."))
    item.fewer_candidates_reason = reason
    item.save(update_fields=["fewer_candidates_reason", "updated_at"])
    return item


# ---------------------------------------------------------------------------------------------
# Sittings and decisions


def voters_present(sitting: Sitting) -> int:
    """Members of the sitting's own committee, present and with a vote."""
    return sitting.members_present.filter(has_vote=True, committee_id=sitting.committee_id).count()


def _check_quorum(sitting: Sitting) -> None:
    present = voters_present(sitting)
    if present < sitting.committee.quorum:
        raise AllocationError(
            _(
                "Le quorum n'est pas atteint : %(present)d membre(s) à voix délibérative "
                "présent(s) pour %(quorum)d requis."
            )
            % {"present": present, "quorum": sitting.committee.quorum}
        )


@transaction.atomic
def sitting_open(*, sitting_id: int) -> Sitting:
    sitting = _lock_sitting(sitting_id)
    if sitting.status != SittingStatus.PLANNED:
        raise AllocationError(_("Seule une séance prévue peut être ouverte."))
    _check_quorum(sitting)
    sitting.status = SittingStatus.OPEN
    sitting.opened_at = timezone.now()
    sitting.save(update_fields=["status", "opened_at", "updated_at"])
    Vacancy.objects.filter(agenda_items__sitting=sitting, status=VacancyStatus.TO_LET).update(
        status=VacancyStatus.PRESENTED, updated_at=timezone.now()
    )
    return sitting


@transaction.atomic
def decision_record(
    *,
    candidacy_id: int,
    kind: str,
    rank: int | None = None,
    reason: str = "",
    missing_document: str = "",
    document_deadline: datetime.date | None = None,
    votes_for: int = 0,
    votes_against: int = 0,
    user=None,
) -> Decision:
    """Record (or correct, while the sitting is open) the committee's decision on a candidate."""
    candidacy = Candidacy.objects.select_related("agenda_item").get(pk=candidacy_id)
    sitting = _lock_sitting(candidacy.agenda_item.sitting_id)
    _check_not_closed(sitting)
    if sitting.status != SittingStatus.OPEN:
        raise AllocationError(_("Ouvrez la séance avant d'enregistrer une décision."))
    _check_quorum(sitting)
    reason = reason.strip()
    missing_document = missing_document.strip()
    if kind not in DecisionKind.values:
        raise AllocationError(_("Décision inconnue."))
    if kind in (DecisionKind.NON_ALLOCATION, DecisionKind.INADMISSIBLE):
        if not reason:
            raise AllocationError(
                _("Le motif est obligatoire pour une non-attribution ou une irrecevabilité.")
            )
        rank = None
    elif kind == DecisionKind.ALLOCATION:
        rank = 1
    elif not rank or rank < 1:
        raise AllocationError(_("Indiquez le rang d'attribution (1, 2, 3…)."))
    if kind == DecisionKind.CONDITIONAL and (not missing_document or not document_deadline):
        raise AllocationError(
            _(
                "Une attribution sous condition suspensive exige la pièce manquante "
                "(article R441-2-4-1) et la date limite pour la fournir."
            )
        )
    if kind != DecisionKind.CONDITIONAL:
        missing_document, document_deadline = "", None
    voters = voters_present(sitting)
    if votes_for < 0 or votes_against < 0 or votes_for + votes_against > voters:
        raise AllocationError(
            _("%(votes)d voix exprimées pour %(voters)d membre(s) à voix délibérative présent(s).")
            % {"votes": votes_for + votes_against, "voters": voters}
        )
    if kind in ALLOCATING_KINDS:
        tie_settled = (
            votes_for == votes_against
            and votes_for > 0
            and sitting.members_present.filter(casting_vote=True).exists()
        )
        if votes_for < votes_against or (votes_for == votes_against and not tie_settled):
            raise AllocationError(
                _(
                    "Une attribution demande plus de voix pour que contre (ou la voix prépondérante)."
                )
            )
    taken = Decision.objects.filter(agenda_item_id=candidacy.agenda_item_id, rank=rank).exclude(
        candidacy_id=candidacy.pk
    )
    if rank and taken.exists():
        raise AllocationError(
            _("Le rang %(rank)d est déjà attribué pour ce logement.") % {"rank": rank}
        )
    try:
        with transaction.atomic():
            decision, _created = Decision.objects.update_or_create(
                candidacy=candidacy,
                defaults={
                    "agenda_item_id": candidacy.agenda_item_id,
                    "kind": kind,
                    "rank": rank,
                    "reason": reason,
                    "missing_document": missing_document,
                    "document_deadline": document_deadline,
                    "votes_for": votes_for,
                    "votes_against": votes_against,
                    "recorded_by": user,
                },
            )
    except IntegrityError as error:
        raise AllocationError(
            _("Le rang %(rank)d est déjà attribué pour ce logement.") % {"rank": rank}
        ) from error
    return decision


def sitting_closing_problems(sitting: Sitting) -> list[str]:
    """Why the sitting cannot close yet (French sentences); empty when it can."""
    problems = []
    items = (
        AgendaItem.objects.filter(sitting=sitting)
        .select_related("vacancy__dwelling")
        .annotate(
            candidates=Count("candidacies", distinct=True),
            decided=Count("decisions", distinct=True),
        )
    )
    for item in items:
        if item.candidates < MIN_CANDIDATES and not item.fewer_candidates_reason:
            problems.append(
                _(
                    "Logement %(ref)s : %(count)d candidat(s) ; au moins trois, ou le motif "
                    "d'un nombre inférieur doit être enregistré."
                )
                % {"ref": item.vacancy.dwelling.reference, "count": item.candidates}
            )
        if item.decided < item.candidates:
            problems.append(
                _("Logement %(ref)s : %(count)d candidat(s) sans décision.")
                % {"ref": item.vacancy.dwelling.reference, "count": item.candidates - item.decided}
            )
    pending_reviews = OccupancyReview.objects.filter(
        sitting=sitting, finding_recorded_at__isnull=True
    ).count()
    if pending_reviews:
        problems.append(
            _("%(count)d examen(s) de l'occupation sans constat.") % {"count": pending_reviews}
        )
    return problems


@transaction.atomic
def sitting_close(*, sitting_id: int, now: datetime.datetime | None = None) -> Sitting:
    """Close the sitting (its decisions are frozen) and send offers to each rank 1."""
    now = now or timezone.now()
    sitting = _lock_sitting(sitting_id)
    _check_not_closed(sitting)
    if sitting.status != SittingStatus.OPEN:
        raise AllocationError(_("Seule une séance ouverte peut être close."))
    problems = sitting_closing_problems(sitting)
    if problems:
        raise AllocationError(
            _("La séance ne peut pas être close. %(problems)s") % {"problems": " ".join(problems)}
        )
    sitting.status = SittingStatus.CLOSED
    sitting.closed_at = now
    sitting.save(update_fields=["status", "closed_at", "updated_at"])
    first_ranks = Decision.objects.filter(agenda_item__sitting=sitting, rank=1).select_related(
        "candidacy", "agenda_item"
    )
    offered = {_offer_issue(decision=decision, now=now).vacancy_id for decision in first_ranks}
    Vacancy.objects.filter(agenda_items__sitting=sitting, status=VacancyStatus.PRESENTED).exclude(
        pk__in=offered
    ).update(status=VacancyStatus.TO_LET, updated_at=now)
    from allocations.tasks import send_sitting_letters

    enqueue_on_commit(send_sitting_letters, sitting_id=sitting.pk)
    return sitting


# ---------------------------------------------------------------------------------------------
# Offers


def _offer_issue(*, decision: Decision, now: datetime.datetime) -> Offer:
    vacancy_id = decision.agenda_item.vacancy_id
    offer = Offer.objects.create(
        decision=decision,
        vacancy_id=vacancy_id,
        application_id=decision.candidacy.application_id,
        sent_at=now,
        deadline=offer_deadline(timezone.localdate(now)),
    )
    Vacancy.objects.filter(pk=vacancy_id).update(status=VacancyStatus.OFFERED, updated_at=now)
    letting_event_record(
        vacancy_id=vacancy_id, step=LettingStep.OFFER_ISSUED, offer_id=offer.pk, at=now
    )
    from allocations.tasks import send_offer_letter

    enqueue_on_commit(send_offer_letter, offer_id=offer.pk)
    return offer


def _offer_next(*, offer: Offer, now: datetime.datetime) -> Offer | None:
    """The next ranked candidate's offer, or the vacancy back to letting when there is none."""
    decision = offer.decision
    following = (
        Decision.objects.filter(
            agenda_item_id=decision.agenda_item_id,
            kind__in=ALLOCATING_KINDS,
            rank__gt=decision.rank,
            offer__isnull=True,
            # An applicant housed meanwhile (another offer accepted) is passed over.
            candidacy__application__status=ApplicationStatus.ACTIVE,
        )
        .select_related("candidacy", "agenda_item")
        .order_by("rank")
        .first()
    )
    if following is None:
        Vacancy.objects.filter(pk=offer.vacancy_id).update(
            status=VacancyStatus.TO_LET, updated_at=now
        )
        letting_event_record(vacancy_id=offer.vacancy_id, step=LettingStep.BACK_TO_LET, at=now)
        return None
    return _offer_issue(decision=following, now=now)


_ANSWER_STEPS = {
    OfferStatus.ACCEPTED: LettingStep.OFFER_ACCEPTED,
    OfferStatus.REFUSED: LettingStep.OFFER_REFUSED,
    OfferStatus.EXPIRED: LettingStep.OFFER_EXPIRED,
}


def _answer(offer_id: int, status: str, now: datetime.datetime, **extra) -> Offer | None:
    """Move a pending offer to ``status``: a conditional UPDATE, so only one caller wins."""
    changed = Offer.objects.filter(pk=offer_id, status=OfferStatus.PENDING, **extra).update(
        status=status, answered_at=now, updated_at=now
    )
    if not changed:
        return None
    offer = Offer.objects.select_related("decision", "application").get(pk=offer_id)
    letting_event_record(
        vacancy_id=offer.vacancy_id, step=_ANSWER_STEPS[status], offer_id=offer.pk, at=now
    )
    return offer


@transaction.atomic
def offer_accept(*, offer_id: int, now: datetime.datetime | None = None) -> Offer:
    now = now or timezone.now()
    offer = _answer(offer_id, OfferStatus.ACCEPTED, now)
    if offer is None:
        raise AllocationError(_("Cette proposition n'attend plus de réponse."))
    Vacancy.objects.filter(pk=offer.vacancy_id).update(status=VacancyStatus.LET, updated_at=now)
    letting_event_record(
        vacancy_id=offer.vacancy_id, step=LettingStep.VACANCY_LET, offer_id=offer.pk, at=now
    )
    application = offer.application
    application.status = ApplicationStatus.HOUSED
    application.save(update_fields=["status", "updated_at"])
    _sync_flag(application, timezone.localdate(now))
    return offer


@transaction.atomic
def offer_refuse(*, offer_id: int, now: datetime.datetime | None = None) -> Offer | None:
    """Record a refusal; the next ranked candidate's offer is issued (returned, or None)."""
    now = now or timezone.now()
    offer = _answer(offer_id, OfferStatus.REFUSED, now)
    if offer is None:
        raise AllocationError(_("Cette proposition n'attend plus de réponse."))
    return _offer_next(offer=offer, now=now)


@transaction.atomic
def offer_expire(*, offer_id: int, now: datetime.datetime | None = None) -> bool:
    """Expire an offer past its deadline and issue the next one; False (nothing done) when it
    was answered or expired already, so running it twice cascades once."""
    now = now or timezone.now()
    offer = _answer(offer_id, OfferStatus.EXPIRED, now, deadline__lt=timezone.localdate(now))
    if offer is None:
        return False
    _offer_next(offer=offer, now=now)
    return True


def offers_expire_due(*, now: datetime.datetime | None = None) -> int:
    """Expire every pending offer past its deadline, each in its own transaction."""
    now = now or timezone.now()
    due = list(
        Offer.objects.filter(
            status=OfferStatus.PENDING, deadline__lt=timezone.localdate(now)
        ).values_list("pk", flat=True)
    )
    return sum(offer_expire(offer_id=offer_id, now=now) for offer_id in due)
