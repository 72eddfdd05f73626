"""The API under /api/v1/: one router for every app's endpoints, the schema and its docs."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from housing.api.views import BuildingViewSet, DwellingViewSet, EstateViewSet
from outreach.api import AppointmentViewSet, CallLogViewSet, CampaignViewSet
from tenants.api import FlagViewSet, HouseholdViewSet, TechnicalRequestViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("estates", EstateViewSet, basename="estate")
router.register("buildings", BuildingViewSet, basename="building")
router.register("dwellings", DwellingViewSet, basename="dwelling")
router.register("households", HouseholdViewSet, basename="household")
router.register("flags", FlagViewSet, basename="flag")
router.register("requests", TechnicalRequestViewSet, basename="request")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("call-logs", CallLogViewSet, basename="call-log")
router.register("appointments", AppointmentViewSet, basename="appointment")

app_name = "api"


@csrf_exempt  # it changes nothing: a POST to a wrong address gets the same JSON 404
def not_found(request, *args, **kwargs):
    return JsonResponse(
        {"message": _("Introuvable."), "code": "not_found", "errors": []}, status=404
    )


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include(router.urls)),
    # Any other address under /api/v1/: the API's JSON error, not the portal's HTML page.
    re_path(r"", not_found),
]
