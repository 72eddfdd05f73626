"""Estates, buildings and dwellings: read, and bulk upsert of dwellings by reference."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from housing.api.base import (
    ScopedReadViewSet,
    UpdatedSinceFilterSet,
    bulk_action,
)
from housing.models import Building, BuildingStatus, Dwelling, DwellingStatus, Estate, Typology
from housing.services import dwellings_import


class EstateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Estate
        fields = ["id", "slug", "name", "city"]


class BuildingSerializer(serializers.ModelSerializer):
    landlord = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    estate = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Building
        fields = [
            "id",
            "landlord",
            "reference",
            "name",
            "estate",
            "address",
            "postal_code",
            "city",
            "floors",
            "has_lift",
            "status",
            "created_at",
            "updated_at",
        ]


class DwellingSerializer(serializers.ModelSerializer):
    landlord = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    building_reference = serializers.CharField(source="building.reference", read_only=True)

    class Meta:
        model = Dwelling
        fields = [
            "id",
            "landlord",
            "reference",
            "building_reference",
            "typology",
            "floor",
            "door",
            "surface",
            "rent",
            "charges",
            "status",
            "adapted_reduced_mobility",
            "created_at",
            "updated_at",
        ]


class DwellingItemSerializer(serializers.Serializer):
    """One dwelling of a bulk upsert: the columns of the CSV import, as JSON."""

    reference = serializers.CharField(max_length=30)
    building_reference = serializers.CharField(max_length=30)
    building_name = serializers.CharField(max_length=150, required=False)
    estate = serializers.CharField(max_length=80, required=False)
    address = serializers.CharField(max_length=255, required=False)
    postal_code = serializers.CharField(max_length=5, required=False)
    city = serializers.CharField(max_length=100, required=False)
    typology = serializers.ChoiceField(choices=Typology.choices)
    floor = serializers.IntegerField(min_value=-10, max_value=99, required=False)
    door = serializers.CharField(max_length=20, required=False)
    surface = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    rent = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=False)
    charges = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, coerce_to_string=False
    )
    status = serializers.ChoiceField(choices=DwellingStatus.choices, required=False)
    adapted_reduced_mobility = serializers.BooleanField(required=False)


class BuildingFilter(UpdatedSinceFilterSet):
    reference = filters.CharFilter(label=_("référence"))
    estate = filters.CharFilter(field_name="estate__slug", label=_("quartier (identifiant)"))
    status = filters.ChoiceFilter(choices=BuildingStatus.choices, label=_("état"))

    class Meta:
        model = Building
        fields = ["reference", "estate", "status"]


class DwellingFilter(UpdatedSinceFilterSet):
    reference = filters.CharFilter(label=_("référence"))
    building_reference = filters.CharFilter(
        field_name="building__reference", label=_("référence de l'immeuble")
    )
    status = filters.ChoiceFilter(choices=DwellingStatus.choices, label=_("état"))
    typology = filters.ChoiceFilter(choices=Typology.choices, label=_("typologie"))

    class Meta:
        model = Dwelling
        fields = ["reference", "building_reference", "status", "typology"]


@extend_schema_view(
    list=extend_schema(summary=_("Quartiers"), description=_("Les quartiers (publics).")),
    retrieve=extend_schema(summary=_("Un quartier")),
)
class EstateViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Estate.objects.order_by("id")
    serializer_class = EstateSerializer


@extend_schema_view(
    list=extend_schema(summary=_("Immeubles"), description=_("Les immeubles du bailleur.")),
    retrieve=extend_schema(summary=_("Un immeuble")),
)
class BuildingViewSet(ScopedReadViewSet):
    model = Building
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilter
    select_related = ("landlord", "estate")


@extend_schema_view(
    list=extend_schema(summary=_("Logements"), description=_("Les logements du bailleur.")),
    retrieve=extend_schema(summary=_("Un logement")),
)
class DwellingViewSet(ScopedReadViewSet):
    model = Dwelling
    serializer_class = DwellingSerializer
    filterset_class = DwellingFilter
    select_related = ("landlord", "building")

    bulk = bulk_action(
        url_path="bulk",
        item=DwellingItemSerializer,
        service=dwellings_import,
        summary=_("Créer ou mettre à jour des logements"),
        description=_(
            "Par référence, chez le bailleur du jeton ; immeubles créés au besoin. Tout est "
            "vérifié avant d'écrire : un élément refusé, et rien n'est enregistré. Envoyer deux "
            "fois les mêmes données ne change rien."
        ),
    )
