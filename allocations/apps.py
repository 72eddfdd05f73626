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


def application_landlord_ids(user):
    from allocations.models import HousingApplication

    return HousingApplication.objects.filter(current_household__people__user=user).values_list(
        "landlord_id", flat=True
    )


def committee_landlord_ids(user):
    from allocations.models import Committee

    return Committee.objects.filter(members__user=user).values_list("landlord_id", flat=True)
