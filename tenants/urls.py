from django.urls import path

from tenants import views

app_name = "tenants"

urlpatterns = [
    path("menages/", views.HouseholdListView.as_view(), name="household_list"),
    path("menages/<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"),
    path("logements/<int:pk>/", views.DwellingDetailView.as_view(), name="dwelling_detail"),
]

tenant_urlpatterns = [
    path("", views.TenantHomeView.as_view(), name="tenant_home"),
]
