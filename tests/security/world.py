"""One coherent set of objects of every kind, for one household of one landlord.

The isolation sweep builds a world for ANOTHER landlord (or another household) and fills the URL
parameters of every route with its objects. ``world[Model]`` is one instance of ``Model``; the
objects hang together (the person belongs to the household, the photo to the request…) so routes
with several parameters get a consistent set.
"""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from allocations.models import (
    AgendaItem,
    Candidacy,
    Committee,
    Decision,
    HousingApplication,
    LetterDispatch,
    LettingEvent,
    OccupancyReview,
    Offer,
    RehousingFile,
    ScoringGrid,
    Sitting,
    Vacancy,
    VacancyPhoto,
    VisitBooking,
    VisitSlot,
)
from housing.models import (
    CaretakerAssignment,
    DutyCompletion,
    DutyRound,
    Export,
    IntegrationToken,
    RetentionPolicy,
    RetentionRun,
    Role,
    StaffMembership,
    WorksEvent,
    WorksNotice,
    WorksSite,
)
from housing.services import integration_token_create
from outreach.models import (
    Appointment,
    AvailabilityException,
    AvailabilityRule,
    BookingSettings,
    CallLog,
    CallTask,
    Campaign,
    Need,
    Partner,
    QueueBuild,
    Referral,
    Reminder,
    Slot,
    SolidarityEntry,
    SolidarityTask,
    WaitingListEntry,
)
from tenants.models import (
    ActivationCode,
    ContactRequest,
    Household,
    HouseholdAccess,
    Lease,
    Person,
    RequestPhoto,
    TechnicalRequest,
    TenantInvitation,
    VulnerabilityFlag,
    WorksNoticeDelivery,
)
from tests.factories import (
    AgencyFactory,
    DwellingFactory,
    HouseholdFactory,
    LeaseFactory,
    PersonFactory,
    VulnerabilityFlagFactory,
    make_staff,
)

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()

# 1x1 transparent PNG: enough for a stored photo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def build_household(landlord, *, tag: str) -> dict:
    """A household of ``landlord`` with a lease, a member, a flag and its own requests."""
    household = HouseholdFactory(landlord=landlord, name=f"Ménage {tag}")
    person = PersonFactory(household=household)
    lease = LeaseFactory(household=household)
    flag = VulnerabilityFlagFactory(household=household)
    request = TechnicalRequest.objects.create(
        landlord=landlord,
        household=household,
        dwelling=lease.dwelling,
        category=TechnicalRequest.Category.PLUMBING,
        description=f"Fuite {tag}",
        channel=TechnicalRequest.Channel.PHONE,
        due_at=NOW + datetime.timedelta(days=7),
    )
    photo = RequestPhoto(request=request, content_type="image/png", size=len(PNG))
    photo.image.save(f"{tag}.png", ContentFile(PNG), save=False)
    photo.save()
    return {
        Household: household,
        Person: person,
        Lease: lease,
        VulnerabilityFlag: flag,
        TechnicalRequest: request,
        RequestPhoto: photo,
        ContactRequest: ContactRequest.objects.create(
            landlord=landlord, household=household, kind="callback", reason=f"Rappel {tag}"
        ),
        TenantInvitation: TenantInvitation.objects.create(
            person=person, email=f"invite-{tag}@exemple.fr", expires_at=NOW
        ),
        ActivationCode: ActivationCode.objects.create(
            person=person, code_hash=f"hash-{tag}", expires_at=NOW
        ),
    }


def build_appointments(landlord, household, adviser, agency, *, tag: str, days=30) -> dict:
    start = NOW + datetime.timedelta(days=days)
    slot = Slot.objects.create(
        landlord=landlord,
        agency=agency,
        adviser=adviser,
        kind="social_adviser",
        start=start,
        end=start + datetime.timedelta(minutes=30),
    )
    appointment = Appointment.objects.create(
        landlord=landlord,
        slot=slot,
        household=household,
        reason="budget_advice",
        mode="phone",
        phone="+33612345678",
    )
    return {
        Slot: slot,
        Appointment: appointment,
        Reminder: Reminder.objects.create(appointment=appointment, due_at=start),
        WaitingListEntry: WaitingListEntry.objects.create(
            landlord=landlord,
            household=household,
            kind="social_adviser",
            reason="budget_advice",
            mode="phone",
            earliest=TODAY,
            latest=TODAY + datetime.timedelta(days=30),
        ),
    }


def build_world(landlord, *, tag: str) -> dict:
    """One object of every landlord-owned model, all of ``landlord``."""
    world = build_household(landlord, tag=tag)
    household, lease = world[Household], world[Lease]
    staff = make_staff(landlord, Role.SOCIAL_ADVISER, email=f"conseil-{tag}@exemple.fr")
    agency = AgencyFactory(landlord=landlord)
    world.update(build_appointments(landlord, household, staff, agency, tag=tag))
    world.update(
        {
            "staff": staff,
            type(staff): staff,
            HouseholdAccess: HouseholdAccess.objects.create(
                user=staff, landlord=landlord, household=household, screen="household_page"
            ),
            StaffMembership: staff.memberships.get(),
            type(landlord): landlord,
            type(agency): agency,
            type(lease.dwelling): lease.dwelling,
            type(lease.dwelling.building): lease.dwelling.building,
            BookingSettings: BookingSettings.objects.create(landlord=landlord),
            AvailabilityRule: AvailabilityRule.objects.create(
                landlord=landlord,
                agency=agency,
                adviser=staff,
                kind="social_adviser",
                weekday=0,
                start_time=datetime.time(9),
                end_time=datetime.time(12),
            ),
            AvailabilityException: AvailabilityException.objects.create(
                landlord=landlord,
                adviser=staff,
                kind="leave",
                starts_at=NOW + datetime.timedelta(days=60),
                ends_at=NOW + datetime.timedelta(days=61),
            ),
        }
    )
    # Outreach: a campaign, its queue, a call and what came of it.
    campaign = Campaign.objects.create(landlord=landlord, name=f"Campagne {tag}", status="active")
    task = CallTask.objects.create(campaign=campaign, household=household, landlord=landlord)
    log = CallLog.objects.create(
        task=task,
        campaign=campaign,
        household=household,
        landlord=landlord,
        caller=staff,
        outcome="reached_needs_help",
        called_at=timezone.now(),
    )
    partner = Partner.objects.create(landlord=landlord, name=f"Partenaire {tag}", kind="mutual_aid")
    world.update(
        {
            Campaign: campaign,
            CallTask: task,
            CallLog: log,
            QueueBuild: QueueBuild.objects.create(campaign=campaign),
            Need: Need.objects.create(call_log=log, household=household, kind="groceries"),
            Partner: partner,
            Referral: Referral.objects.create(
                landlord=landlord,
                household=household,
                partner=partner,
                reason="Courses",
                created_by=staff,
            ),
            SolidarityEntry: SolidarityEntry.objects.create(
                landlord=landlord, household=household, found_on=TODAY, need="Courses"
            ),
        }
    )
    world.update(build_allocations(landlord, household, lease, tag=tag))
    world.update(build_letting(landlord, world, staff, tag=tag))
    world.update(build_works(landlord, household, lease, staff, tag=tag))
    world.update(build_caretaking(landlord, world, staff, tag=tag))
    token, _key = integration_token_create(
        landlord=landlord,
        name=f"Jeton {tag}",
        scope=IntegrationToken.Scope.WRITE,
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    world.update(
        {
            IntegrationToken: token,
            RetentionPolicy: RetentionPolicy.objects.create(landlord=landlord),
            RetentionRun: RetentionRun.objects.create(
                landlord=landlord,
                ran_at=NOW,
                call_logs_anonymised=0,
                photos_deleted=0,
                accounts_deactivated=0,
            ),
            # An export belongs to its author only (even colleagues get 404).
            Export: Export.objects.create(created_by=staff, kind="households", format="csv"),
        }
    )
    # The latest version of each object whose history is kept (django-simple-history).
    for model, obj in list(world.items()):
        if isinstance(model, type) and hasattr(model, "history"):
            world[model.history.model] = obj.history.latest()
    return world


def build_allocations(landlord, household, lease, *, tag: str) -> dict:
    """A vacancy before a committee's sitting, the household's application, a decision and its
    offer, and a review of the household's occupancy (each has its letter)."""
    vacancy_dwelling = DwellingFactory(building__landlord=landlord, status="vacant")
    vacancy = Vacancy.objects.create(
        landlord=landlord,
        dwelling=vacancy_dwelling,
        available_from=TODAY,
        rent=Decimal("400"),
        charges=Decimal("80"),
    )
    application = HousingApplication.objects.create(
        landlord=landlord,
        registration_number=f"03826010{landlord.pk:04d}{tag}",
        applicant_name=f"Demandeur {tag}",
        registered_on=TODAY - datetime.timedelta(days=200),
        monthly_income=Decimal("1400"),
        current_household=household,
    )
    committee = Committee.objects.create(landlord=landlord, name=f"CALEOL {tag}", territory="Isère")
    sitting = Sitting.objects.create(
        committee=committee, date=NOW, mode="remote", video_link="https://visio.example.fr/caleol"
    )
    item = AgendaItem.objects.create(sitting=sitting, vacancy=vacancy)
    candidacy = Candidacy.objects.create(agenda_item=item, application=application, score=10)
    decision = Decision.objects.create(candidacy=candidacy, agenda_item=item, kind="allocation")
    return {
        Vacancy: vacancy,
        HousingApplication: application,
        ScoringGrid: ScoringGrid.objects.get_or_create(landlord=landlord)[0],
        Committee: committee,
        Sitting: sitting,
        AgendaItem: item,
        Candidacy: candidacy,
        Decision: decision,
        Offer: Offer.objects.create(
            decision=decision,
            vacancy=vacancy,
            application=application,
            deadline=TODAY + datetime.timedelta(days=10),
        ),
        OccupancyReview: OccupancyReview.objects.create(
            sitting=sitting, lease=lease, household=household
        ),
    }


def build_letting(landlord, world: dict, staff, *, tag: str) -> dict:
    """What letting a vacancy leaves: its photo, a visit slot booked by the applicant, the
    letters sent and the letting's timeline (needs ``build_allocations``)."""
    vacancy, offer = world[Vacancy], world[Offer]
    photo = VacancyPhoto(
        vacancy=vacancy, caption=f"Séjour {tag}", content_type="image/png", size=len(PNG)
    )
    photo.image.save(f"logement-{tag}.png", ContentFile(PNG), save=False)
    photo.save()
    slot = VisitSlot.objects.create(vacancy=vacancy, starts_at=NOW + datetime.timedelta(days=3))
    return {
        VacancyPhoto: photo,
        VisitSlot: slot,
        VisitBooking: VisitBooking.objects.create(
            slot=slot, application=world[HousingApplication], booked_by=staff
        ),
        LetterDispatch: LetterDispatch.objects.create(
            kind="offer",
            landlord=landlord,
            offer=offer,
            recipient=f"demandeur-{tag}@exemple.fr",
        ),
        LettingEvent: LettingEvent.objects.create(
            vacancy=vacancy, offer=offer, step="offer_issued"
        ),
    }


def build_works(landlord, household, lease, staff, *, tag: str) -> dict:
    """A works site on the household's building, its timeline, a published notice with a photo,
    and the household's rehousing file."""
    building = lease.dwelling.building
    site = WorksSite.objects.create(
        landlord=landlord,
        kind="rehabilitation",
        name=f"Réhabilitation {tag}",
        planned_start=TODAY,
    )
    site.buildings.add(building)
    notice = WorksNotice(site=site, title=f"Avis {tag}", body="Coupure d'eau", published_on=TODAY)
    notice.photo.save(f"chantier-{tag}.png", ContentFile(PNG), save=False)
    notice.photo_content_type = "image/png"
    notice.save()
    return {
        WorksSite: site,
        WorksEvent: WorksEvent.objects.create(site=site, kind="announced", date=TODAY),
        WorksNotice: notice,
        WorksNoticeDelivery: WorksNoticeDelivery.objects.create(notice=notice, household=household),
        RehousingFile: RehousingFile.objects.create(
            landlord=landlord,
            site=site,
            building=building,
            dwelling=lease.dwelling,
            household=household,
            opened_on=TODAY,
            followed_by=staff,
        ),
    }


def build_caretaking(landlord, world: dict, staff, *, tag: str) -> dict:
    """A caretaker's building, a round done there and a solidarity task for the household."""
    building = world[Lease].dwelling.building
    duty_round = DutyRound.objects.create(building=building, kind="cleaning", starts_on=TODAY)
    return {
        CaretakerAssignment: CaretakerAssignment.objects.create(user=staff, building=building),
        DutyRound: duty_round,
        DutyCompletion: DutyCompletion.objects.create(
            round=duty_round, date=TODAY, done_by=staff, done_at=NOW
        ),
        SolidarityTask: SolidarityTask.objects.create(
            landlord=landlord,
            household=world[Household],
            assigned_to=staff,
            description=f"Courses {tag}",
            due_on=TODAY + datetime.timedelta(days=2),
            created_by=staff,
        ),
    }
