from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from allocations.applicant_views import applicant_urlpatterns
from housing.two_factor_views import TwoFactorEnrolView, TwoFactorVerifyView
from housing.works_views import PublicWorksIndexView, PublicWorksView
from outreach.views.appointments import tenant_urlpatterns as appointment_urlpatterns
from portal import views
from tenants.urls import tenant_urlpatterns

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Login, logout, password change and reset: Django's views, templates in templates/registration/.
    path("comptes/login/", views.PortalLoginView.as_view(), name="login"),
    path(
        "comptes/double-authentification/activer/",
        TwoFactorEnrolView.as_view(),
        name="two_factor_enrol",
    ),
    path(
        "comptes/double-authentification/code/",
        TwoFactorVerifyView.as_view(),
        name="two_factor_verify",
    ),
    path("comptes/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Public, no login: current works per estate (no personal data).
    path("travaux/", PublicWorksIndexView.as_view(), name="public_works_index"),
    path("travaux/<slug:slug>/", PublicWorksView.as_view(), name="public_works"),
    path("personnel/", include("housing.urls")),
    path("personnel/", include("tenants.urls")),
    path("personnel/", include("outreach.urls")),
    path("personnel/", include("allocations.urls")),
    path("espace/rendez-vous/", include((appointment_urlpatterns, "appointments"))),
    path("espace/demande-de-logement/", include((applicant_urlpatterns, "applicant"))),
    path("espace/", include(tenant_urlpatterns)),
    path("api/v1/", include("portal.api_urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = _("Portail des Villeneuves – administration")
admin.site.site_title = _("Portail des Villeneuves")
admin.site.index_title = _("Administration")
