"""Django admin is scoped like the pages: another landlord's rows are invisible and answer 404."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from housing.models import Role
from tests.factories import (
    AgencyFactory,
    BuildingFactory,
    DwellingFactory,
    HouseholdFactory,
    LeaseFactory,
    PersonFactory,
    VulnerabilityFlagFactory,
    make_staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def actis_admin(actis):
    user = make_staff(actis, Role.LANDLORD_ADMIN, email="admin@actis.example", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["housing", "tenants"])
    )
    return user


def _objects_of(landlord):
    household = HouseholdFactory(landlord=landlord)
    lease = LeaseFactory(household=household)
    return {
        "landlord": landlord,
        "agency": AgencyFactory(landlord=landlord),
        "building": lease.dwelling.building,
        "dwelling": lease.dwelling,
        "staffmembership": make_staff(landlord).memberships.get(),
        "household": household,
        "person": PersonFactory(household=household),
        "lease": lease,
        "vulnerabilityflag": VulnerabilityFlagFactory(household=household),
    }


APP_OF = {
    "landlord": "housing",
    "agency": "housing",
    "building": "housing",
    "dwelling": "housing",
    "staffmembership": "housing",
    "household": "tenants",
    "person": "tenants",
    "lease": "tenants",
    "vulnerabilityflag": "tenants",
}


@pytest.mark.parametrize("model", list(APP_OF))
def test_admin_change_page_of_another_landlord_answers_404(client, actis_admin, actis, sdh, model):
    mine = _objects_of(actis)[model]
    theirs = _objects_of(sdh)[model]
    client.force_login(actis_admin)
    app = APP_OF[model]
    assert client.get(reverse(f"admin:{app}_{model}_change", args=[mine.pk])).status_code == 200
    response = client.get(reverse(f"admin:{app}_{model}_change", args=[theirs.pk]))
    assert response.status_code == 404
    changelist = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert changelist.status_code == 200
    rows = list(changelist.context["cl"].queryset)
    assert mine in rows
    assert theirs not in rows


def test_admin_foreign_key_choices_are_scoped(client, actis_admin, actis, sdh):
    BuildingFactory(landlord=actis, name="Arlequin 50")
    BuildingFactory(landlord=sdh, name="Limousin 7-9")
    client.force_login(actis_admin)
    form = client.get(reverse("admin:housing_dwelling_add")).context["adminform"].form
    assert [str(b) for b in form.fields["building"].queryset] == ["Arlequin 50"]
    assert list(form.fields["landlord"].queryset) == [actis]


def test_admin_cannot_save_a_row_for_another_landlord(client, actis_admin, sdh):
    building = BuildingFactory(landlord=sdh)
    client.force_login(actis_admin)
    response = client.post(
        reverse("admin:housing_dwelling_add"),
        {
            "landlord": sdh.pk,
            "building": building.pk,
            "reference": "PIRATE",
            "typology": "T2",
            "floor": 1,
            "surface": "40",
            "rent": "300",
            "charges": "50",
            "status": "vacant",
        },
    )
    assert response.status_code == 200  # the form is shown again with errors
    assert not DwellingFactory._meta.model.objects.filter(reference="PIRATE").exists()


def test_accounts_admin_is_for_superusers_only(client, actis_admin):
    client.force_login(actis_admin)
    assert client.get(reverse("admin:portal_user_changelist")).status_code == 403


def test_a_token_created_in_admin_shows_its_key_once(client, actis, actis_admin):
    from django.contrib.messages import get_messages

    from housing.models import IntegrationToken

    client.force_login(actis_admin)
    response = client.post(
        "/admin/housing/integrationtoken/add/",
        {
            "landlord": actis.pk,
            "name": "Progiciel",
            "scope": "write",
            "expires_at_0": "01/01/2030",
            "expires_at_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    token = IntegrationToken.objects.get()
    [message] = [str(m) for m in get_messages(response.wsgi_request) if "Clé du jeton" in str(m)]
    assert token.prefix in message
    key = message.split(" : ", 1)[1].split(" ")[0]
    assert key not in token.key_hash
    assert key in client.get(response.url).content.decode()  # the page after saving
    page = client.get(f"/admin/housing/integrationtoken/{token.pk}/change/").content.decode()
    assert key not in page  # and never again


def test_tokens_are_revoked_by_an_admin_action_and_scoped(client, actis, sdh, actis_admin):
    from housing.models import IntegrationToken
    from tests.apiclient import make_token

    own, _ = make_token(actis)
    other, _ = make_token(sdh)
    client.force_login(actis_admin)
    assert client.get(f"/admin/housing/integrationtoken/{other.pk}/change/").status_code == 404
    client.post(
        "/admin/housing/integrationtoken/",
        {"action": "revoke", "_selected_action": [own.pk]},
    )
    assert IntegrationToken.objects.get(pk=own.pk).revoked_at is not None
    assert IntegrationToken.objects.get(pk=other.pk).revoked_at is None


def test_a_token_cannot_be_created_already_expired(client, actis_admin, actis):
    from housing.models import IntegrationToken

    client.force_login(actis_admin)
    response = client.post(
        "/admin/housing/integrationtoken/add/",
        {
            "landlord": actis.pk,
            "name": "Progiciel",
            "scope": "read",
            "expires_at_0": "01/01/2020",
            "expires_at_1": "00:00:00",
        },
    )
    assert response.status_code == 200
    assert "doit être dans le futur" in response.content.decode()
    assert not IntegrationToken.objects.exists()


def test_a_raw_id_typed_in_an_add_link_never_prints_another_landlords_object(
    client, actis_admin, actis, sdh
):
    """Django's raw-id widget reads its label with the default manager; ours reads it through the
    field's scoped choices, so « ?household=<SDH id> » prints nothing of SDH."""
    mine = HouseholdFactory(landlord=actis, name="Famille Actis")
    theirs = HouseholdFactory(landlord=sdh, name="Famille Sdh-Secrète")
    outsider = make_staff(sdh, email="outsider@sdh.example", first_name="Ophélie")
    client.force_login(actis_admin)
    add = reverse("admin:tenants_person_add")
    page = client.get(f"{add}?household={theirs.pk}&user={outsider.pk}").content.decode()
    assert "Sdh-Secrète" not in page
    assert "Ophélie" not in page
    page = client.get(f"{add}?household={mine.pk}").content.decode()
    assert "Famille Actis" in page


def test_relation_filters_offer_only_the_users_landlords(client, actis_admin, actis, sdh):
    HouseholdFactory(landlord=actis)
    HouseholdFactory(landlord=sdh)
    client.force_login(actis_admin)
    page = client.get(reverse("admin:tenants_household_changelist")).content.decode()
    assert actis.name in page
    assert sdh.name not in page


def test_the_household_list_labels_and_sorts_its_people_column(client, actis_admin, actis):
    HouseholdFactory(landlord=actis)
    client.force_login(actis_admin)
    page = client.get(reverse("admin:tenants_household_changelist")).content.decode()
    assert "column-people_count" in page
    assert "Personnes" in page
    assert "People count" not in page
