from django.urls import path

from housing import export_views, views, works_views

app_name = "housing"

urlpatterns = [
    path("", views.StaffHomeView.as_view(), name="staff_home"),
    path("immeubles/", views.BuildingListView.as_view(), name="building_list"),
    path("immeubles/<int:pk>/", views.BuildingDetailView.as_view(), name="building_detail"),
    path("chantiers/", works_views.WorksSiteListView.as_view(), name="works_list"),
    path("chantiers/<int:pk>/", works_views.WorksSiteDetailView.as_view(), name="works_detail"),
    path(
        "chantiers/<int:pk>/evenements/",
        works_views.WorksEventAddView.as_view(),
        name="works_event_add",
    ),
    path("exports/", export_views.ExportView.as_view(), name="exports"),
    path("exports/<int:pk>/etat/", export_views.ExportStatusView.as_view(), name="export_status"),
    path(
        "exports/<int:pk>/fichier/",
        export_views.ExportDownloadView.as_view(),
        name="export_download",
    ),
]
