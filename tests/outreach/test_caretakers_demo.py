from io import StringIO

import pytest
from django.core.management import call_command

from housing.models import CaretakerAssignment, DutyCompletion, DutyRound
from outreach.models import SolidarityTask

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_each_caretaker_buildings_rounds_past_work_and_a_grocery_task_once():
    call_command("seed_demo", households=150, seed=3, stdout=StringIO())
    caretakers = CaretakerAssignment.objects.values_list("user__email", flat=True).distinct()
    assert set(caretakers) == {
        "caretaker@actis.demo",
        "caretaker@sdh.demo",
        "caretaker@alpeshabitat.demo",
    }
    assert DutyRound.objects.exists()
    assert DutyCompletion.objects.exists()
    task = SolidarityTask.objects.filter(assigned_to__email="caretaker@actis.demo").get()
    assert task.call_log is not None
    assert task.need.kind == "caretaker_help"
    # The grocery task's household lives in a building the caretaker looks after.
    assert CaretakerAssignment.objects.filter(
        user=task.assigned_to, building__dwellings__leases__household=task.household
    ).exists()
    before = (
        CaretakerAssignment.objects.count(),
        DutyRound.objects.count(),
        DutyCompletion.objects.count(),
        SolidarityTask.objects.count(),
    )

    call_command("seed_demo", households=150, seed=3, stdout=StringIO())

    assert (
        CaretakerAssignment.objects.count(),
        DutyRound.objects.count(),
        DutyCompletion.objects.count(),
        SolidarityTask.objects.count(),
    ) == before
