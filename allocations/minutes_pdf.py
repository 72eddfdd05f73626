"""The minutes (procès-verbal) as PDF, drawn with fpdf2 (pure Python, optional dependency).

The built-in Helvetica covers Latin-1: the few characters outside it (dashes, curly quotes,
the euro sign) are replaced by their closest Latin-1 spelling.
"""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

_REPLACEMENTS = str.maketrans(
    {"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "€": "EUR", "…": "..."}
)


def available() -> bool:
    try:
        import fpdf  # noqa: F401
    except ImportError:
        return False
    return True


def _text(value) -> str:
    return str(value).translate(_REPLACEMENTS).encode("latin-1", "replace").decode("latin-1")


class PdfDocument:
    """An A4 page of paragraphs in Helvetica: the minutes and the letters are drawn with it."""

    def __init__(self):
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.add_page()
        self.width = self.pdf.w - self.pdf.l_margin - self.pdf.r_margin

    def line(self, text, *, size=10, style="", height=5) -> None:
        self.pdf.set_font("Helvetica", style=style, size=size)
        self.pdf.multi_cell(self.width, height, _text(text), new_x="LMARGIN", new_y="NEXT")

    def space(self, height: float = 3) -> None:
        self.pdf.ln(height)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def minutes_pdf(sitting) -> bytes:
    """``sitting`` as loaded by ``selectors.sitting_for_minutes`` (everything prefetched)."""
    document = PdfDocument()
    pdf = document.pdf
    line = document.line

    committee = sitting.committee
    line(
        _("Procès-verbal – %(committee)s") % {"committee": committee.name},
        size=15,
        style="B",
        height=8,
    )
    if not sitting.is_closed:
        line(_("Séance non close : ce procès-verbal est provisoire."), style="B")
    line(_("Bailleur : %(name)s") % {"name": committee.landlord.name})
    line(_("Territoire : %(territory)s") % {"territory": committee.territory})
    line(
        _("Date : %(date)s")
        % {"date": formats.date_format(timezone.localtime(sitting.date), "DATETIME_FORMAT")}
    )
    mode = sitting.get_mode_display()
    line(
        _("Modalité : %(mode)s") % {"mode": f"{mode} – {sitting.place}" if sitting.place else mode}
    )
    pdf.ln(3)
    line(_("Membres présents"), size=12, style="B", height=7)
    for member in sitting.members_present.all():
        suffix = "" if member.has_vote else f" ({_('voix consultative')})"
        line(f"- {member.name} – {member.get_role_display()}{suffix}")
    for item in sitting.agenda_items.all():
        dwelling = item.vacancy.dwelling
        pdf.ln(3)
        line(
            _("Logement %(ref)s (%(typology)s), %(building)s")
            % {
                "ref": dwelling.reference,
                "typology": dwelling.typology,
                "building": dwelling.building.name,
            },
            size=12,
            style="B",
            height=7,
        )
        if item.fewer_candidates_reason:
            line(
                _("Moins de trois candidats : %(reason)s.")
                % {"reason": item.get_fewer_candidates_reason_display()}
            )
        for candidacy in item.candidacies.all():
            application = candidacy.application
            decision = getattr(candidacy, "decision", None)
            text = f"- {application.applicant_name} ({application.registration_number}), "
            text += _("cotation %(score)d") % {"score": candidacy.score}
            if decision is not None:
                text += f" : {decision.get_kind_display()}"
                if decision.rank:
                    text += " " + _("rang %(rank)d") % {"rank": decision.rank}
                text += " – " + _("voix pour %(for)d, contre %(against)d") % {
                    "for": decision.votes_for,
                    "against": decision.votes_against,
                }
                if decision.missing_document:
                    text += " – " + _("%(document)s à fournir avant le %(deadline)s") % {
                        "document": decision.missing_document,
                        "deadline": formats.date_format(
                            decision.document_deadline, "SHORT_DATE_FORMAT"
                        ),
                    }
                elif decision.reason:
                    text += f" – {decision.reason}"
            line(text)
    reviews = list(sitting.occupancy_reviews.all())
    if reviews:
        pdf.ln(3)
        line(_("Examen de l'occupation des logements"), size=12, style="B", height=7)
        for review in reviews:
            line(
                f"- {review.household.name} ({review.lease.dwelling.reference}) : "
                f"{', '.join(review.situation_labels)} – {review.finding or '—'}"
            )
    return document.output()
