from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Locataires")

    def ready(self):
        from tenants.exports import register_exports

        register_exports()

        from portal.rls import register_landlord_resolver

        # Row-level security: a tenant sees the rows of their household's landlord.
        register_landlord_resolver(household_landlord_ids)


def household_landlord_ids(user):
    from tenants.models import Household

    return Household.objects.filter(people__user=user).values_list("landlord_id", flat=True)
