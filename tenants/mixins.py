"""The one door to a tenant's own pages (the tenant space, appointments, the application)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404

from tenants.selectors import tenant_household


class HouseholdRequiredMixin(LoginRequiredMixin):
    """The user's own household as ``self.household``; anybody without one gets 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.household = tenant_household(request.user)
            if self.household is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)
