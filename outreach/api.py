"""Call campaigns, call logs and appointments in the API (read, with ``updated_since``)."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from housing.api.base import IdFilter, ScopedReadViewSet, UpdatedSinceFilterSet
from outreach.models import (
    Appointment,
    AppointmentStatus,
    CallLog,
    CallOutcome,
    Campaign,
    CampaignStatus,
)


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "purpose",
            "status",
            "start_date",
            "end_date",
            "created_at",
            "updated_at",
        ]


class CallLogSerializer(serializers.ModelSerializer):
    household_reference = serializers.CharField(source="household.reference", read_only=True)
    answers = serializers.DictField(read_only=True)

    class Meta:
        model = CallLog
        fields = [
            "id",
            "campaign",
            "household",
            "household_reference",
            "outcome",
            "answers",
            "notes",
            "called_at",
            "created_at",
            "updated_at",
        ]


class AppointmentSerializer(serializers.ModelSerializer):
    household_reference = serializers.CharField(source="household.reference", read_only=True)
    start = serializers.DateTimeField(source="slot.start", read_only=True)
    end = serializers.DateTimeField(source="slot.end", read_only=True)
    agency = serializers.CharField(source="slot.agency.name", read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "household",
            "household_reference",
            "agency",
            "start",
            "end",
            "reason",
            "mode",
            "status",
            "created_at",
            "updated_at",
        ]


class CampaignFilter(UpdatedSinceFilterSet):
    status = filters.ChoiceFilter(choices=CampaignStatus.choices, label=_("état"))

    class Meta:
        model = Campaign
        fields = ["status"]


class CallLogFilter(UpdatedSinceFilterSet):
    campaign = IdFilter(field_name="campaign_id", label=_("campagne (id)"))
    outcome = filters.ChoiceFilter(choices=CallOutcome.choices, label=_("résultat"))
    household_reference = filters.CharFilter(
        field_name="household__reference", label=_("référence du ménage")
    )

    class Meta:
        model = CallLog
        fields = ["campaign", "outcome", "household_reference"]


class AppointmentFilter(UpdatedSinceFilterSet):
    status = filters.ChoiceFilter(choices=AppointmentStatus.choices, label=_("état"))
    household_reference = filters.CharFilter(
        field_name="household__reference", label=_("référence du ménage")
    )

    class Meta:
        model = Appointment
        fields = ["status", "household_reference"]


@extend_schema_view(
    list=extend_schema(summary=_("Campagnes d'appels")),
    retrieve=extend_schema(summary=_("Une campagne d'appels")),
)
class CampaignViewSet(ScopedReadViewSet):
    model = Campaign
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter


@extend_schema_view(
    list=extend_schema(summary=_("Appels passés")),
    retrieve=extend_schema(summary=_("Un appel")),
)
class CallLogViewSet(ScopedReadViewSet):
    model = CallLog
    serializer_class = CallLogSerializer
    filterset_class = CallLogFilter
    select_related = ("household",)


@extend_schema_view(
    list=extend_schema(summary=_("Rendez-vous")),
    retrieve=extend_schema(summary=_("Un rendez-vous")),
)
class AppointmentViewSet(ScopedReadViewSet):
    model = Appointment
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilter
    select_related = ("household", "slot__agency")
