"""Django admin of works sites, events and notices is scoped: another landlord's rows answer 404."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from housing.models import Role, WorksSite
from tests.factories import (
    BuildingFactory,
    WorksEventFactory,
    WorksNoticeFactory,
    WorksSiteFactory,
    make_staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def actis_admin(actis):
    user = make_staff(actis, Role.LANDLORD_ADMIN, email="admin@actis.example", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="housing"))
    return user


def _rows(landlord):
    site = WorksSiteFactory(landlord=landlord, name=f"Chantier {landlord.name}")
    return {
        "workssite": site,
        "worksevent": WorksEventFactory(site=site),
        "worksnotice": WorksNoticeFactory(site=site, title=f"Avis {landlord.name}"),
    }


@pytest.mark.parametrize("model", ["workssite", "worksevent", "worksnotice"])
def test_admin_shows_own_rows_and_answers_404_for_another_landlord(
    client, actis_admin, actis, sdh, model
):
    mine, theirs = _rows(actis)[model], _rows(sdh)[model]
    client.force_login(actis_admin)
    listing = client.get(reverse(f"admin:housing_{model}_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [mine]
    assert client.get(reverse(f"admin:housing_{model}_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse(f"admin:housing_{model}_change", args=[theirs.pk])).status_code == 404


def test_admin_site_list_shows_the_status_from_events(client, actis_admin, actis):
    site = WorksSiteFactory(landlord=actis)
    WorksEventFactory(site=site, kind="started")
    client.force_login(actis_admin)
    page = client.get(reverse("admin:housing_workssite_changelist")).content.decode()
    assert "En cours" in page or "en cours" in page


def test_admin_refuses_a_site_with_another_landlords_building(client, actis, sdh):
    superuser = make_staff(actis, Role.LANDLORD_ADMIN, email="root@example.fr", is_staff=True)
    superuser.is_superuser = True
    superuser.save()
    theirs = BuildingFactory(landlord=sdh)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:housing_workssite_add"),
        {
            "landlord": actis.pk,
            "kind": "rehabilitation",
            "name": "Mélange",
            "buildings": [theirs.pk],
            "planned_start": "2020-01-06",
            "events-TOTAL_FORMS": 0,
            "events-INITIAL_FORMS": 0,
            "notices-TOTAL_FORMS": 0,
            "notices-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "doivent appartenir à son bailleur" in response.content.decode()


def test_admin_refuses_a_site_ending_before_it_starts_with_the_french_message(
    client, actis_admin, actis
):
    building = BuildingFactory(landlord=actis)
    client.force_login(actis_admin)
    response = client.post(
        reverse("admin:housing_workssite_add"),
        {
            "landlord": actis.pk,
            "kind": "rehabilitation",
            "name": "Façades Arlequin",
            "buildings": [building.pk],
            "planned_start": "2020-06-01",
            "planned_end": "2020-05-01",
            "events-TOTAL_FORMS": 0,
            "events-INITIAL_FORMS": 0,
            "notices-TOTAL_FORMS": 0,
            "notices-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "La fin prévue ne peut pas précéder le début prévu : corrigez l'une des deux dates, "
        "ou laissez la fin vide si elle n'est pas connue."
    ]
    assert "La fin prévue ne peut pas précéder le début prévu" in response.content.decode()
    assert not WorksSite.objects.exists()
