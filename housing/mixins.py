"""View mixins shared by every staff page: login, staff only, and the scoped queryset."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from housing.scoping import is_landlord_staff, landlord_ids_with_role, staff_landlord_ids


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


class RoleRequiredMixin(StaffRequiredMixin):
    """The page is for staff holding one of ``required_roles`` at some landlord.

    ``self.role_landlord_ids`` lists the landlords where they do: views filter objects with it, so
    an object of a landlord where the user lacks the role answers 404 like any other.
    """

    required_roles: list[str] = []

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.role_landlord_ids = landlord_ids_with_role(request.user, self.required_roles)
            if not self.role_landlord_ids and is_landlord_staff(request.user):
                raise PermissionDenied(_("Votre rôle ne donne pas accès à cette page."))
        return super().dispatch(request, *args, **kwargs)
