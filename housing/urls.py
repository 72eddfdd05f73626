from django.urls import path

from housing import views

app_name = "housing"

urlpatterns = [
    path("", views.StaffHomeView.as_view(), name="staff_home"),
    path("immeubles/", views.BuildingListView.as_view(), name="building_list"),
    path("immeubles/<int:pk>/", views.BuildingDetailView.as_view(), name="building_detail"),
]
