"""View mixins shared by every staff page: login, staff only, and the scoped queryset."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from housing.scoping import is_landlord_staff, staff_landlord_ids


class StaffRequiredMixin(LoginRequiredMixin):
    """The page is for landlords' staff (and superusers); tenants and others are refused."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_landlord_staff(request.user):
            raise PermissionDenied(_("Cette page est réservée au personnel des bailleurs."))
        return super().dispatch(request, *args, **kwargs)


class ScopedObjectMixin:
    """Detail views read only through ``Model.objects.visible_to(user)``: others answer 404."""

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


def user_has_several_landlords(user) -> bool:
    return user.is_superuser or len(staff_landlord_ids(user)) > 1
