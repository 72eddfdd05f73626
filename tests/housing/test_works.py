"""Works sites: the status comes from the timeline, suspensions are counted, the DB holds the rules."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from housing.models import WorksEvent, WorksSite, WorksStatus
from housing.works import (
    WorksError,
    suspension_days,
    suspensions,
    with_status,
    works_event_add,
    works_status,
)
from tests.factories import BuildingFactory, DwellingFactory, WorksEventFactory, WorksSiteFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _add(site, kind, day, reason=""):
    return works_event_add(site=site, kind=kind, date=day, reason=reason)


def test_status_follows_the_timeline_through_two_suspensions(actis):
    site = WorksSiteFactory(landlord=actis)
    steps = [
        ("announced", D(2020, 1, 6), "", WorksStatus.ANNOUNCED),
        ("started", D(2020, 2, 3), "", WorksStatus.STARTED),
        ("suspended", D(2020, 3, 17), "confinement", WorksStatus.SUSPENDED),
        ("resumed", D(2020, 5, 11), "", WorksStatus.RESUMED),
        ("suspended", D(2020, 10, 30), "second confinement", WorksStatus.SUSPENDED),
        ("resumed", D(2020, 11, 16), "", WorksStatus.RESUMED),
        ("completed", D(2021, 3, 1), "", WorksStatus.COMPLETED),
    ]
    for kind, day, reason, expected in steps:
        _add(site, kind, day, reason)
        kinds = site.events.order_by("date", "pk").values_list("kind", flat=True)
        assert works_status(kinds) == expected
        assert with_status(WorksSite.objects.filter(pk=site.pk)).get().status == expected


def test_a_site_without_events_is_planned(actis):
    site = WorksSiteFactory(landlord=actis)
    assert with_status(WorksSite.objects.filter(pk=site.pk)).get().status == WorksStatus.PLANNED


def test_completed_is_final(actis):
    site = WorksSiteFactory(landlord=actis)
    _add(site, "started", D(2020, 1, 6))
    _add(site, "completed", D(2020, 6, 1))
    for kind in ["suspended", "resumed", "started", "announced", "completed"]:
        with pytest.raises(WorksError, match="terminé"):
            _add(site, kind, D(2020, 7, 1), reason="x")
    assert site.events.count() == 2


@pytest.mark.parametrize(
    ("history", "refused"),
    [
        ([], "resumed"),
        ([], "suspended"),
        ([], "completed"),
        (["announced"], "suspended"),
        (["started"], "resumed"),
        (["started", "suspended"], "completed"),
        (["started", "suspended"], "suspended"),
    ],
)
def test_bad_transitions_are_refused_in_french(actis, history, refused):
    site = WorksSiteFactory(landlord=actis)
    for number, kind in enumerate(history):
        _add(site, kind, D(2020, 1, 1 + number), reason="confinement")
    with pytest.raises(WorksError, match="ne peut pas passer"):
        _add(site, refused, D(2020, 2, 1), reason="confinement")
    assert site.events.count() == len(history)


def test_a_suspension_needs_a_reason_and_dates_cannot_go_back(actis):
    site = WorksSiteFactory(landlord=actis)
    _add(site, "started", D(2020, 2, 3))
    with pytest.raises(WorksError, match="motif"):
        _add(site, "suspended", D(2020, 3, 17), reason="  ")
    with pytest.raises(WorksError, match="03/02/2020"):
        _add(site, "suspended", D(2020, 1, 1), reason="confinement")
    assert site.events.count() == 1


def test_suspension_days_sum_closed_periods_and_count_the_open_one_to_today(actis):
    site = WorksSiteFactory(landlord=actis)
    _add(site, "started", D(2020, 2, 3))
    _add(site, "suspended", D(2020, 3, 17), "confinement")
    _add(site, "resumed", D(2020, 5, 11))  # 55 days
    _add(site, "suspended", D(2020, 10, 30), "second confinement")
    events = list(site.events.all())
    assert suspension_days(events, today=D(2020, 11, 9)) == 55 + 10
    periods = suspensions(events, today=D(2020, 11, 9))
    assert [(p.days, p.end) for p in periods] == [(55, D(2020, 5, 11)), (10, None)]
    _add(site, "resumed", D(2020, 11, 16))
    assert suspension_days(list(site.events.all()), today=D(2021, 1, 1)) == 55 + 17


def test_the_database_refuses_a_suspension_without_reason(actis):
    site = WorksSiteFactory(landlord=actis)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorksEvent.objects.create(site=site, kind="suspended", date=D(2020, 3, 17), reason="")


def test_the_database_refuses_a_second_start(actis):
    site = WorksSiteFactory(landlord=actis)
    WorksEventFactory(site=site, kind="started")
    with pytest.raises(IntegrityError), transaction.atomic():
        WorksEventFactory(site=site, kind="started")


def test_the_database_refuses_an_end_before_the_start_and_a_negative_budget(actis):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorksSiteFactory(landlord=actis, planned_start=D(2020, 5, 1), planned_end=D(2020, 4, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        WorksSiteFactory(landlord=actis, budget=-1)


def test_the_database_refuses_an_unknown_kind(actis):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorksSiteFactory(landlord=actis, kind="painting")


def test_completing_a_demolition_marks_its_buildings_demolished_and_withdraws_every_dwelling(
    actis,
):
    building = BuildingFactory(landlord=actis, status="being_demolished")
    DwellingFactory(building=building, status="occupied")
    DwellingFactory(building=building, status="withdrawn")
    untouched = DwellingFactory(landlord=actis, status="vacant")
    site = WorksSiteFactory(landlord=actis, kind="demolition", buildings=[building])
    _add(site, "started", D(2020, 6, 2))
    assert building.dwellings.filter(status="withdrawn").count() == 1
    _add(site, "completed", D(2021, 12, 17))
    building.refresh_from_db()
    assert building.status == "demolished"
    assert set(building.dwellings.values_list("status", flat=True)) == {"withdrawn"}
    untouched.refresh_from_db()
    assert untouched.status == "vacant"
