"""Households (with people and leases), vulnerability flags and technical requests in the API."""

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from housing.api.base import (
    ScopedReadViewSet,
    UpdatedSinceFilterSet,
    bulk_action,
)
from tenants.errors import TenantError
from tenants.flags import arrears_update
from tenants.models import (
    ContactPreference,
    FlagKind,
    Household,
    Lease,
    Person,
    RequestCategory,
    RequestStatus,
    TechnicalRequest,
    VulnerabilityFlag,
)
from tenants.services.imports import households_import
from tenants.services.requests import request_set_status


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "first_name", "last_name", "birth_date", "role"]


class LeaseSerializer(serializers.ModelSerializer):
    dwelling_reference = serializers.CharField(source="dwelling.reference", read_only=True)

    class Meta:
        model = Lease
        fields = ["id", "dwelling_reference", "start_date", "end_date"]


class HouseholdSerializer(serializers.ModelSerializer):
    landlord = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    phone = serializers.CharField(read_only=True)
    mobile_phone = serializers.CharField(read_only=True)
    people = PersonSerializer(many=True, read_only=True)
    leases = LeaseSerializer(many=True, read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "landlord",
            "reference",
            "name",
            "email",
            "phone",
            "mobile_phone",
            "preferred_language",
            "contact_preference",
            "do_not_call",
            "people",
            "leases",
            "created_at",
            "updated_at",
        ]


class FlagSerializer(serializers.ModelSerializer):
    household_reference = serializers.CharField(source="household.reference", read_only=True)

    class Meta:
        model = VulnerabilityFlag
        fields = [
            "id",
            "household",
            "household_reference",
            "kind",
            "arrears_amount",
            "source",
            "start_date",
            "end_date",
            "note",
            "created_at",
            "updated_at",
        ]


class TechnicalRequestSerializer(serializers.ModelSerializer):
    household_reference = serializers.CharField(source="household.reference", read_only=True)
    dwelling_reference = serializers.CharField(
        source="dwelling.reference", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = TechnicalRequest
        fields = [
            "id",
            "reference",
            "household",
            "household_reference",
            "dwelling_reference",
            "category",
            "location",
            "description",
            "channel",
            "priority",
            "status",
            "rejection_reason",
            "due_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]


class HouseholdItemSerializer(serializers.Serializer):
    """One household of a bulk upsert: the columns of the CSV import, as JSON."""

    reference = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False)
    phone = serializers.CharField(required=False, help_text="04 76 12 34 56")
    mobile_phone = serializers.CharField(required=False, help_text="06 12 34 56 78")
    preferred_language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    contact_preference = serializers.ChoiceField(choices=ContactPreference.choices, required=False)
    dwelling_reference = serializers.CharField(max_length=30)
    lease_start = serializers.DateField()
    holder_first_name = serializers.CharField(max_length=100)
    holder_last_name = serializers.CharField(max_length=100)
    holder_birth_date = serializers.DateField(required=False)


class RequestStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RequestStatus.choices)
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    rejection_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ArrearsItemSerializer(serializers.Serializer):
    """One household's arrears, from the landlord's accounting."""

    household_reference = serializers.CharField(max_length=30)
    arrears_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, coerce_to_string=False
    )
    since = serializers.DateField(required=False)


class HouseholdFilter(UpdatedSinceFilterSet):
    reference = filters.CharFilter(label=_("référence"))

    class Meta:
        model = Household
        fields = ["reference"]


class FlagFilter(UpdatedSinceFilterSet):
    household_reference = filters.CharFilter(
        field_name="household__reference", label=_("référence du ménage")
    )
    kind = filters.ChoiceFilter(choices=FlagKind.choices, label=_("fragilité"))
    open = filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_open",
        label=_("en cours (sans date de fin) : true ou false"),
    )

    class Meta:
        model = VulnerabilityFlag
        fields = ["household_reference", "kind", "open"]

    def filter_open(self, queryset, name, value):
        return queryset.filter(end_date__isnull=value == "true")


class TechnicalRequestFilter(UpdatedSinceFilterSet):
    status = filters.ChoiceFilter(choices=RequestStatus.choices, label=_("état"))
    category = filters.ChoiceFilter(choices=RequestCategory.choices, label=_("catégorie"))
    household_reference = filters.CharFilter(
        field_name="household__reference", label=_("référence du ménage")
    )

    class Meta:
        model = TechnicalRequest
        fields = ["status", "category", "household_reference"]


@extend_schema_view(
    list=extend_schema(
        summary=_("Ménages"), description=_("Les ménages du bailleur, avec leurs membres et baux.")
    ),
    retrieve=extend_schema(summary=_("Un ménage")),
)
class HouseholdViewSet(ScopedReadViewSet):
    model = Household
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    select_related = ("landlord",)
    prefetch_related = (
        Prefetch("people", queryset=Person.objects.order_by("id")),
        Prefetch("leases", queryset=Lease.objects.select_related("dwelling").order_by("id")),
    )

    bulk = bulk_action(
        url_path="bulk",
        item=HouseholdItemSerializer,
        service=households_import,
        summary=_("Créer ou mettre à jour des ménages, leur bail en cours et leur titulaire"),
        description=_(
            "Par référence, chez le bailleur du jeton. Un ménage qui apparaît sur un autre "
            "logement déménage : son bail précédent se termine la veille. Tout est vérifié avant "
            "d'écrire : un élément refusé, et rien n'est enregistré. Envoyer deux fois les mêmes "
            "données ne change rien."
        ),
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("Fragilités"), description=_("Les fragilités des ménages (données sensibles).")
    ),
    retrieve=extend_schema(summary=_("Une fragilité")),
)
class FlagViewSet(ScopedReadViewSet):
    model = VulnerabilityFlag
    serializer_class = FlagSerializer
    filterset_class = FlagFilter
    select_related = ("household",)

    arrears = bulk_action(
        url_path="arrears",
        item=ArrearsItemSerializer,
        service=arrears_update,
        summary=_("Mettre à jour les impayés (comptabilité locative)"),
        description=_(
            "Par référence de ménage : un montant au-dessus de 0 ouvre la fragilité « difficulté "
            "de paiement » ou en change le montant ; 0 la clôt. Tout est vérifié avant d'écrire ; "
            "envoyer deux fois les mêmes montants ne change rien."
        ),
    )


@extend_schema_view(
    list=extend_schema(summary=_("Demandes techniques")),
    retrieve=extend_schema(summary=_("Une demande technique")),
)
class TechnicalRequestViewSet(ScopedReadViewSet):
    model = TechnicalRequest
    serializer_class = TechnicalRequestSerializer
    filterset_class = TechnicalRequestFilter
    select_related = ("household", "dwelling")

    @extend_schema(
        summary=_("Changer l'état d'une demande technique"),
        description=_(
            "Les mêmes règles que dans le portail (changements d'état permis, motif d'un refus) ; "
            "le locataire est prévenu par e-mail."
        ),
        request=RequestStatusInputSerializer,
        responses={200: TechnicalRequestSerializer},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None, format=None):  # noqa: A002 (DRF's suffix kwarg)
        technical_request = self.get_object()
        data = RequestStatusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            request_set_status(request=technical_request, by=request.user, **data.validated_data)
        except TenantError as error:
            raise exceptions.ValidationError({"status": [error.message]}) from None
        technical_request.refresh_from_db()
        return Response(self.get_serializer(technical_request).data)
