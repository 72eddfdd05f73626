from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portail")

    def ready(self):
        from django.db.models.signals import post_migrate

        from portal.rls import apply_policies_after_migrate

        # Row-level security policies, created or replaced after every migrate, as the owner.
        post_migrate.connect(apply_policies_after_migrate, dispatch_uid="portal_rls_policies")
