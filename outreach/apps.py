from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Accompagnement et appels")

    def ready(self):
        from outreach import (
            data_export,  # noqa: F401  (the household export's outreach sections)
            receivers,  # noqa: F401  (tenants' call-back requests → the queue)
        )
        from outreach.exports import register_exports

        register_exports()
