from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationsConfig(AppConfig):
    name = "allocations"
    verbose_name = _("Attributions")

    def ready(self):
        from portal.rls import register_landlord_resolver

        # Row-level security: an applicant's household sees the landlords it applied to; a
        # committee member (an elected representative may hold no staff role) their committee's.
        register_landlord_resolver(application_landlord_ids)
        register_landlord_resolver(committee_landlord_ids)

        from housing.scoping import register_membership_flag
        from tenants.selectors import register_household_flag

        # The navigation's links, read with the queries every page runs anyway.
        register_membership_flag("committee_seat", committee_seat)
        register_household_flag("applicant", applicant)


def committee_seat(user_id):
    """« Mes séances »: the user holds a seat on a committee."""
    from django.db.models import Exists

    from allocations.models import CommitteeMember

    return Exists(CommitteeMember.objects.filter(user_id=user_id))


def applicant(household_id):
    """« Ma demande de logement »: an application, or an occupancy finding of a closed sitting
    (the rule of :func:`allocations.applicant.is_applicant`)."""
    from django.db.models import BooleanField, Exists, ExpressionWrapper, Q

    from allocations.applicant import closed_findings
    from allocations.models import HousingApplication

    return ExpressionWrapper(
        Q(Exists(HousingApplication.objects.filter(current_household_id=household_id)))
        | Q(Exists(closed_findings().filter(household_id=household_id))),
        output_field=BooleanField(),
    )


def application_landlord_ids(user):
    from allocations.models import HousingApplication

    return HousingApplication.objects.filter(current_household__people__user=user).values_list(
        "landlord_id", flat=True
    )


def committee_landlord_ids(user):
    from allocations.models import Committee

    return Committee.objects.filter(members__user=user).values_list("landlord_id", flat=True)
