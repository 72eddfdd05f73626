"""Letters to applicants and tenants: the committee's decision, the offer with its deadline, and
the finding of an occupancy review.

One :class:`Letter` (subject and paragraphs) feeds the three ways out: the HTML page for print,
the PDF (drawn with the minutes' :class:`~allocations.minutes_pdf.PdfDocument`) and the e-mail.
Each e-mail is sent once: a :class:`~allocations.models.LetterDispatch` row is written first,
under a unique constraint, in the transaction that sends it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.mail import EmailMessage
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from allocations import minutes_pdf
from allocations.models import (
    Decision,
    DecisionKind,
    LetterDispatch,
    LetterKind,
    OccupancyReview,
    Offer,
    SittingStatus,
)
from portal.mail import send_once


@dataclass
class Letter:
    kind: str
    landlord: str
    recipient_name: str
    recipient_email: str
    reference: str
    subject: str
    paragraphs: list[str] = field(default_factory=list)
    dated: str = ""

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.reference}.pdf"

    @property
    def body(self) -> str:
        return "\n\n".join(
            [_("Madame, Monsieur,"), *self.paragraphs, _("Veuillez agréer nos salutations.")]
        )


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _dwelling_text(vacancy) -> str:
    dwelling = vacancy.dwelling
    building = dwelling.building
    return _("le logement %(ref)s (%(typology)s), %(address)s, %(postal_code)s %(city)s") % {
        "ref": dwelling.reference,
        "typology": dwelling.typology,
        "address": building.address,
        "postal_code": building.postal_code,
        "city": building.city,
    }


def _email_of(application) -> str:
    if application.email:
        return application.email
    household = application.current_household
    return household.email if household is not None else ""


def decision_letter(decision: Decision) -> Letter:
    """``decision`` with candidacy__application__current_household, agenda_item__sitting__committee
    __landlord and agenda_item__vacancy__dwelling__building loaded."""
    application = decision.candidacy.application
    sitting = decision.agenda_item.sitting
    vacancy = decision.agenda_item.vacancy
    sitting_day = _date(timezone.localtime(sitting.date).date())
    paragraphs = [
        _(
            "La commission d'attribution des logements (%(committee)s) a examiné votre demande "
            "n° %(number)s le %(date)s pour %(dwelling)s."
        )
        % {
            "committee": sitting.committee.name,
            "number": application.registration_number,
            "date": sitting_day,
            "dwelling": _dwelling_text(vacancy),
        }
    ]
    kind = decision.kind
    if kind == DecisionKind.ALLOCATION or (kind == DecisionKind.RANKED and decision.rank == 1):
        paragraphs.append(
            _(
                "Elle vous a attribué ce logement. Une proposition écrite vous est adressée : "
                "elle indique la date limite de votre réponse."
            )
        )
    elif kind == DecisionKind.RANKED:
        paragraphs.append(
            _(
                "Elle vous a attribué ce logement au rang %(rank)d : il vous sera proposé si "
                "les candidats classés avant vous le refusent ou ne répondent pas."
            )
            % {"rank": decision.rank}
        )
    elif kind == DecisionKind.CONDITIONAL:
        paragraphs.append(
            _(
                "Elle vous a attribué ce logement sous la condition suspensive de fournir la "
                "pièce suivante avant le %(deadline)s : %(document)s (article R441-2-4-1 du code "
                "de la construction et de l'habitation). Sans cette pièce dans le délai, "
                "l'attribution est caduque."
            )
            % {
                "deadline": _date(decision.document_deadline),
                "document": decision.missing_document,
            }
        )
    elif kind == DecisionKind.NON_ALLOCATION:
        paragraphs.append(
            _("Elle ne vous a pas attribué ce logement, pour le motif suivant : %(reason)s")
            % {"reason": decision.reason}
        )
    else:
        paragraphs.append(
            _("Elle a déclaré votre demande irrecevable, pour le motif suivant : %(reason)s")
            % {"reason": decision.reason}
        )
    if kind in (DecisionKind.NON_ALLOCATION, DecisionKind.INADMISSIBLE):
        paragraphs.append(
            _(
                "Votre demande de logement reste enregistrée. Vous pouvez contester cette "
                "décision par un recours gracieux auprès du bailleur ou un recours devant le "
                "tribunal administratif dans les deux mois suivant la réception de ce courrier."
            )
        )
    return Letter(
        kind="decision",
        landlord=sitting.committee.landlord.name,
        recipient_name=application.applicant_name,
        recipient_email=_email_of(application),
        reference=application.registration_number,
        subject=_("Décision de la commission d'attribution du %(date)s") % {"date": sitting_day},
        paragraphs=paragraphs,
        dated=sitting_day,
    )


def offer_letter(offer: Offer) -> Letter:
    """``offer`` with application__current_household and vacancy__landlord, vacancy__dwelling__
    building loaded."""
    application = offer.application
    vacancy = offer.vacancy
    paragraphs = [
        _("Suite à la décision de la commission d'attribution, nous vous proposons %(dwelling)s.")
        % {"dwelling": _dwelling_text(vacancy)},
        _(
            "Loyer mensuel : %(rent)s € ; charges mensuelles : %(charges)s € ; disponible le "
            "%(available)s."
        )
        % {
            "rent": formats.number_format(vacancy.rent, 2, use_l10n=True),
            "charges": formats.number_format(vacancy.charges, 2, use_l10n=True),
            "available": _date(vacancy.available_from),
        },
        _(
            "Vous avez jusqu'au %(deadline)s inclus pour accepter ou refuser cette proposition "
            "(article R441-10 du code de la construction et de l'habitation), dans votre espace "
            "locataire ou auprès de votre agence. Sans réponse dans ce délai, le logement est "
            "proposé au candidat suivant."
        )
        % {"deadline": _date(offer.deadline)},
    ]
    return Letter(
        kind="proposition",
        landlord=vacancy.landlord.name,
        recipient_name=application.applicant_name,
        recipient_email=_email_of(application),
        reference=application.registration_number,
        subject=_("Proposition de logement – réponse avant le %(deadline)s")
        % {"deadline": _date(offer.deadline)},
        paragraphs=paragraphs,
        dated=_date(timezone.localtime(offer.sent_at).date()),
    )


def occupancy_letter(review: OccupancyReview) -> Letter:
    """``review`` with household, lease__dwelling__building and sitting__committee__landlord."""
    sitting = review.sitting
    sitting_day = _date(timezone.localtime(sitting.date).date())
    paragraphs = [
        _(
            "Comme la loi le prévoit tous les trois ans (article L442-5-2 du code de la "
            "construction et de l'habitation), la commission d'attribution a examiné le %(date)s "
            "l'occupation de votre logement %(ref)s."
        )
        % {"date": sitting_day, "ref": review.lease.dwelling.reference},
        _("Situation examinée : %(situations)s.")
        % {"situations": ", ".join(review.situation_labels)},
        _("Constat de la commission : %(finding)s") % {"finding": review.finding},
        _(
            "Votre agence peut vous accompagner, par exemple pour une demande de mutation vers "
            "un logement plus adapté."
        ),
    ]
    return Letter(
        kind="examen-occupation",
        landlord=sitting.committee.landlord.name,
        recipient_name=review.household.name,
        recipient_email=review.household.email,
        reference=review.household.reference,
        subject=_("Examen de l'occupation de votre logement"),
        paragraphs=paragraphs,
        dated=sitting_day,
    )


def letter_pdf(letter: Letter) -> bytes:
    document = minutes_pdf.PdfDocument()
    document.line(letter.landlord, size=12, style="B", height=7)
    document.line(letter.dated)
    document.space()
    document.line(letter.recipient_name, style="B")
    document.line(_("Demande ou référence : %(ref)s") % {"ref": letter.reference})
    document.space()
    document.line(_("Objet : %(subject)s") % {"subject": letter.subject}, style="B")
    document.space()
    for paragraph in letter.body.split("\n\n"):
        document.line(paragraph)
        document.space(2)
    return document.output()


# ---------------------------------------------------------------------------------------------
# Loading what a letter needs, and sending it once


def decisions_with_letters():
    """Decisions whose letter exists: their sitting is closed."""
    return Decision.objects.filter(
        agenda_item__sitting__status=SittingStatus.CLOSED
    ).select_related(
        "candidacy__application__current_household",
        "agenda_item__sitting__committee__landlord",
        "agenda_item__vacancy__dwelling__building",
    )


def offers_with_letters():
    return Offer.objects.select_related(
        "application__current_household", "vacancy__landlord", "vacancy__dwelling__building"
    )


def reviews_with_letters():
    """Occupancy reviews whose finding is final: their sitting is closed."""
    return OccupancyReview.objects.filter(
        sitting__status=SittingStatus.CLOSED, finding_recorded_at__isnull=False
    ).select_related("household", "lease__dwelling__building", "sitting__committee__landlord")


def _send(letter: Letter, *, landlord_id: int, **target) -> bool:
    """E-mail ``letter`` unless it went already or no address is known; True when sent."""
    if not letter.recipient_email:
        return False

    def message() -> EmailMessage:
        email = EmailMessage(subject=letter.subject, body=letter.body, to=[letter.recipient_email])
        if minutes_pdf.available():
            email.attach(letter.filename, letter_pdf(letter), "application/pdf")
        return email

    return send_once(
        message,
        record=lambda: LetterDispatch.objects.create(
            landlord_id=landlord_id, recipient=letter.recipient_email, **target
        ),
    )


def _send_decision(decision: Decision) -> bool:
    return _send(
        decision_letter(decision),
        landlord_id=decision.agenda_item.sitting.committee.landlord_id,
        kind=LetterKind.DECISION,
        decision=decision,
    )


def _send_offer(offer: Offer) -> bool:
    return _send(
        offer_letter(offer),
        landlord_id=offer.vacancy.landlord_id,
        kind=LetterKind.OFFER,
        offer=offer,
    )


def _send_review(review: OccupancyReview) -> bool:
    return _send(
        occupancy_letter(review),
        landlord_id=review.sitting.committee.landlord_id,
        kind=LetterKind.OCCUPANCY,
        occupancy_review=review,
    )


def offer_letter_send(*, offer_id: int) -> bool:
    offer = offers_with_letters().filter(pk=offer_id).first()
    return offer is not None and _send_offer(offer)


def sitting_letters_send(*, sitting_id: int) -> int:
    """Every decision letter and occupancy notice of a closed sitting not sent yet: read in two
    queries, then one e-mail (and its dispatch row) per letter."""
    decisions = decisions_with_letters().filter(
        agenda_item__sitting_id=sitting_id, letters__isnull=True
    )
    reviews = reviews_with_letters().filter(sitting_id=sitting_id, letters__isnull=True)
    return sum(map(_send_decision, decisions)) + sum(map(_send_review, reviews))


# Letters not sent within this many days (no address then, a broker outage) are left to staff.
CATCH_UP_DAYS = 30


def pending_letters_send(*, now=None) -> int:
    """Hourly catch-up: letters of recent sittings and offers that did not leave (the broker was
    down when they were enqueued, say). Idempotent like each letter."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=CATCH_UP_DAYS)
    decisions = decisions_with_letters().filter(
        agenda_item__sitting__closed_at__gte=since, letters__isnull=True
    )
    reviews = reviews_with_letters().filter(sitting__closed_at__gte=since, letters__isnull=True)
    offers = offers_with_letters().filter(sent_at__gte=since, letters__isnull=True)
    return (
        sum(map(_send_decision, decisions))
        + sum(map(_send_review, reviews))
        + sum(map(_send_offer, offers))
    )


@dataclass(frozen=True)
class LetterSource:
    """Where a kind of letter comes from and who may read it."""

    queryset: object
    build: object
    landlord_path: str
    tenant_path: str


LETTER_SOURCES = {
    "decision": LetterSource(
        decisions_with_letters,
        decision_letter,
        "agenda_item__sitting__committee__landlord",
        "candidacy__application__current_household__people__user",
    ),
    "proposition": LetterSource(
        offers_with_letters,
        offer_letter,
        "vacancy__landlord",
        "application__current_household__people__user",
    ),
    "examen": LetterSource(
        reviews_with_letters, occupancy_letter, "household__landlord", "household__people__user"
    ),
}
