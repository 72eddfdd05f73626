from django.urls import path

from tenants import access_views, request_views, space_views, views, works_views

app_name = "tenants"

urlpatterns = [
    path("menages/", views.HouseholdListView.as_view(), name="household_list"),
    path("menages/<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"),
    path(
        "menages/<int:pk>/demandes/nouvelle/",
        request_views.StaffRequestCreateView.as_view(),
        name="request_create",
    ),
    path(
        "menages/<int:pk>/personnes/<int:person_pk>/inviter/",
        request_views.TenantInviteView.as_view(),
        name="tenant_invite",
    ),
    path(
        "menages/<int:pk>/personnes/<int:person_pk>/code-activation/",
        request_views.ActivationCodeView.as_view(),
        name="activation_code",
    ),
    path("logements/<int:pk>/", views.DwellingDetailView.as_view(), name="dwelling_detail"),
    path("demandes/", request_views.RequestTriageView.as_view(), name="request_list"),
    path(
        "demandes/<int:pk>/", request_views.StaffRequestDetailView.as_view(), name="request_detail"
    ),
    path(
        "demandes/<int:pk>/etat/",
        request_views.StaffRequestStatusView.as_view(),
        name="request_status",
    ),
    path(
        "demandes/<int:pk>/attribution/",
        request_views.StaffRequestAssignView.as_view(),
        name="request_assign",
    ),
    path(
        "demandes/<int:pk>/note/", request_views.StaffRequestNoteView.as_view(), name="request_note"
    ),
    path(
        "demandes/<int:pk>/message/",
        request_views.StaffRequestMessageView.as_view(),
        name="request_message",
    ),
    path(
        "demandes/<int:pk>/photos/<int:photo_pk>/",
        space_views.RequestPhotoView.as_view(),
        name="request_photo",
    ),
    path(
        "demandes/statistiques/",
        request_views.RequestStatisticsView.as_view(),
        name="request_statistics",
    ),
    path("contacts/", request_views.ContactRequestListView.as_view(), name="contact_list"),
    path("journal-des-consultations/", access_views.AccessLogView.as_view(), name="access_log"),
    path(
        "journal-des-consultations/export.csv",
        access_views.AccessLogExportView.as_view(),
        name="access_log_export",
    ),
    path(
        "chantiers/<int:pk>/avis/nouveau/",
        works_views.WorksNoticeCreateView.as_view(),
        name="works_notice_create",
    ),
    path(
        "chantiers/avis/<int:pk>/publier/",
        works_views.WorksNoticePublishView.as_view(),
        name="works_notice_publish",
    ),
    path(
        "chantiers/avis/<int:pk>/photo/",
        works_views.WorksNoticePhotoView.as_view(),
        name="works_notice_photo",
    ),
    path(
        "contacts/<int:pk>/traitee/",
        request_views.ContactRequestHandledView.as_view(),
        name="contact_handled",
    ),
]

tenant_urlpatterns = [
    path("", views.TenantHomeView.as_view(), name="tenant_home"),
    path("demandes/", space_views.TenantRequestListView.as_view(), name="tenant_request_list"),
    path(
        "demandes/nouvelle/",
        space_views.TenantRequestCreateView.as_view(),
        name="tenant_request_create",
    ),
    path(
        "demandes/<int:pk>/",
        space_views.TenantRequestDetailView.as_view(),
        name="tenant_request_detail",
    ),
    path(
        "demandes/<int:pk>/message/",
        space_views.TenantRequestMessageView.as_view(),
        name="tenant_request_message",
    ),
    path(
        "demandes/<int:pk>/confirmer/",
        space_views.TenantRequestConfirmView.as_view(),
        name="tenant_request_confirm",
    ),
    path(
        "demandes/<int:pk>/rouvrir/",
        space_views.TenantRequestReopenView.as_view(),
        name="tenant_request_reopen",
    ),
    path(
        "demandes/<int:pk>/rejoindre/",
        space_views.TenantRequestJoinView.as_view(),
        name="tenant_request_join",
    ),
    path(
        "demandes/<int:pk>/photos/<int:photo_pk>/",
        space_views.RequestPhotoView.as_view(),
        name="tenant_request_photo",
    ),
    path("travaux/", works_views.TenantWorksNoticeListView.as_view(), name="tenant_works_notices"),
    path(
        "travaux/<int:pk>/photo/",
        works_views.WorksNoticePhotoView.as_view(),
        name="tenant_works_notice_photo",
    ),
    path("mes-donnees/", space_views.MyDataView.as_view(), name="tenant_my_data"),
    path(
        "mes-donnees/export.json",
        space_views.MyDataExportView.as_view(),
        name="tenant_my_data_json",
    ),
    path(
        "mes-donnees/consultations/",
        access_views.TenantAccessLogView.as_view(),
        name="tenant_access_log",
    ),
    path("mes-donnees/correction/", space_views.CorrectionView.as_view(), name="tenant_correction"),
    path("rappel/", space_views.CallbackView.as_view(), name="tenant_callback"),
    path(
        "invitation/<str:token>/",
        space_views.InvitationAcceptView.as_view(),
        name="tenant_invitation",
    ),
    path("activation/", space_views.ActivationView.as_view(), name="tenant_activation"),
]
