"""The works demo: the article's sites with their timelines, and the 7-9 Limousin rehousing."""

from io import StringIO

import pytest
from django.core.management import call_command

from allocations.models import RehousingFile
from housing.models import WorksEvent, WorksNotice, WorksSite, WorksStatus
from housing.works import suspension_days, with_status
from tenants.models import Lease

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _counts():
    return [
        model.objects.count()
        for model in (WorksSite, WorksEvent, WorksNotice, RehousingFile, Lease)
    ]


def test_the_demo_tells_the_2020_works_and_runs_twice_without_change():
    call_command("seed_demo", households=600, seed=3, stdout=StringIO())
    first = _counts()
    call_command("seed_demo", households=600, seed=3, stdout=StringIO())
    assert _counts() == first

    sites = {site.name: site for site in with_status(WorksSite.objects.all())}
    demolition = sites["Démolition du 7-9 Limousin"]
    assert demolition.status == WorksStatus.STARTED
    rehabilitation = sites["Réhabilitation du 60 galerie de l'Arlequin"]
    assert rehabilitation.status == WorksStatus.RESUMED
    assert suspension_days(list(rehabilitation.events.all())) == 55
    assert any(name.startswith("Remplacement des ascenseurs") for name in sites)

    files = RehousingFile.objects.filter(site=demolition)
    assert files.exists()
    assert set(files.values_list("status", flat=True)) == {"moved"}
    for file in files.select_related("household"):
        # the household left 7-9 Limousin the day before its current lease began
        current = Lease.objects.current().get(household=file.household)
        assert file.moved_on == current.start_date
