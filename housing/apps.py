from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HousingConfig(AppConfig):
    name = "housing"
    verbose_name = _("Patrimoine")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from housing.middleware import remember_login_time

        user_logged_in.connect(remember_login_time, dispatch_uid="housing_remember_login_time")

        from housing.scoping import staff_landlord_ids
        from portal.rls import register_landlord_resolver

        # Row-level security: staff see the rows of the landlords they work for.
        register_landlord_resolver(staff_landlord_ids)
