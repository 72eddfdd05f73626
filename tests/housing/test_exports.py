import csv
import datetime
import io

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from housing.exports import exports_purge
from housing.models import Export, ExportStatus
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_a_small_export_is_sent_at_once_and_scoped(client, alice, actis, sdh):
    HouseholdFactory(landlord=actis, reference="MEN-A", mobile_phone="+33612345678")
    HouseholdFactory(landlord=sdh, reference="MEN-S")
    client.force_login(alice)
    response = client.post("/personnel/exports/", {"kind": "households", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="menages-')
    rows = read_csv(response)
    assert rows[0][:2] == ["Référence", "Nom du ménage"]
    assert [row[0] for row in rows[1:]] == ["MEN-A"]
    assert "06 12 34 56 78" in rows[1]


def test_an_xlsx_export_keeps_the_types(client, alice, actis):
    HouseholdFactory(landlord=actis, reference="MEN-A")
    client.force_login(alice)
    response = client.post("/personnel/exports/", {"kind": "households", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[1][0] == "MEN-A"
    assert isinstance(rows[1][-1], datetime.datetime)


def test_a_large_export_is_built_by_the_worker_with_its_progress(
    client, alice, actis, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_SYNC_MAX_ROWS = 2
    for n in range(3):
        HouseholdFactory(landlord=actis, reference=f"MEN-{n}")
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/personnel/exports/", {"kind": "households", "format": "csv"})
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.status == ExportStatus.DONE
    assert (export.total, export.written, export.percent) == (3, 3, 100)
    page = client.get("/personnel/exports/").content.decode()
    assert f"/personnel/exports/{export.pk}/fichier/" in page
    download = client.get(f"/personnel/exports/{export.pk}/fichier/")
    text = b"".join(download.streaming_content).decode("utf-8")
    assert text.count("\r\nMEN-") == 3


def test_the_status_of_a_pending_export_polls(client, alice):
    export = Export.objects.create(created_by=alice, kind="households", format="csv", total=10)
    client.force_login(alice)
    body = client.get(f"/personnel/exports/{export.pk}/etat/").content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert "<progress" in body


def test_another_landlords_export_answers_404(client, alice, charlie):
    export = Export.objects.create(
        created_by=charlie, kind="households", format="csv", status=ExportStatus.PENDING
    )
    client.force_login(alice)
    assert client.get(f"/personnel/exports/{export.pk}/fichier/").status_code == 404
    assert client.get(f"/personnel/exports/{export.pk}/etat/").status_code == 404


def test_tenants_cannot_export(client, actis_household):
    from tests.factories import make_tenant

    client.force_login(make_tenant(actis_household))
    response = client.post("/personnel/exports/", {"kind": "households", "format": "csv"})
    assert response.status_code == 403


def test_an_unknown_kind_is_refused_and_nothing_is_recorded(client, alice):
    client.force_login(alice)
    response = client.post("/personnel/exports/", {"kind": "secrets", "format": "csv"})
    assert response.status_code == 400
    assert not Export.objects.exists()


def test_exports_are_deleted_after_a_day_with_their_file(client, alice, actis, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 0
    HouseholdFactory(landlord=actis)
    client.force_login(alice)
    client.post("/personnel/exports/", {"kind": "households", "format": "xlsx"})
    export = Export.objects.get()
    from housing.exports import export_build

    export_build(export_id=export.pk)
    export.refresh_from_db()
    path = export.file.path
    assert export.file.storage.exists(export.file.name)
    assert exports_purge() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, minutes=1)):
        assert exports_purge() == 1
    assert not Export.objects.exists()
    import os

    assert not os.path.exists(path)


def test_a_finished_export_is_not_built_twice(alice):
    from housing.exports import export_build

    export = Export.objects.create(
        created_by=alice, kind="households", format="csv", status=ExportStatus.DONE, file="x.csv"
    )
    export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.file.name == "x.csv"


def test_the_database_refuses_a_finished_export_without_a_file(alice):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Export.objects.create(
            created_by=alice, kind="households", format="csv", status=ExportStatus.DONE
        )


def test_the_admin_action_exports_only_the_users_landlords_rows(client, actis, sdh):
    from django.contrib.auth.models import Permission

    from housing.models import Role
    from tests.factories import make_staff

    user = make_staff(actis, Role.LANDLORD_ADMIN, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="tenants"))
    own = HouseholdFactory(landlord=actis, reference="MEN-A")
    other = HouseholdFactory(landlord=sdh, reference="MEN-S")
    client.force_login(user)
    response = client.post(
        "/admin/tenants/household/",
        {"action": "export_csv", "_selected_action": [own.pk, other.pk]},
    )
    assert response.status_code == 200
    assert [row[0] for row in read_csv(response)[1:]] == ["MEN-A"]


def test_an_export_reads_a_constant_number_of_queries(client, alice, actis):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice)
    counts = []
    for total in (10, 200):
        HouseholdFactory.create_batch(total - (10 if total == 200 else 0), landlord=actis)
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/personnel/exports/", {"kind": "households", "format": "csv"})
            read_csv(response)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_large_export_asked_in_english_is_written_in_english_by_the_worker(
    client, alice, actis, settings, django_capture_on_commit_callbacks
):
    from django.utils import translation

    settings.EXPORT_SYNC_MAX_ROWS = 0
    HouseholdFactory(landlord=actis, reference="MEN-1")
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/personnel/exports/", {"kind": "households", "format": "csv"})
        translation.activate("fr")  # the worker runs elsewhere, in the default language
    export = Export.objects.get()
    assert (export.language, export.status) == ("en", ExportStatus.DONE)
    download = client.get(f"/personnel/exports/{export.pk}/fichier/")
    header = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Reference;")


def _built_export(client, user, django_capture_on_commit_callbacks, kind="households"):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/personnel/exports/", {"kind": kind, "format": "csv"})
    export = Export.objects.get(created_by=user)
    assert export.status == ExportStatus.DONE
    return export


def test_a_finished_export_is_no_longer_served_once_its_author_left_a_landlord_it_covers(
    client, alice, actis, sdh, settings, django_capture_on_commit_callbacks
):
    from housing.models import Role, StaffMembership

    settings.EXPORT_SYNC_MAX_ROWS = 0
    StaffMembership.objects.create(user=alice, landlord=sdh, role=Role.CALLER)
    HouseholdFactory(landlord=actis, reference="MEN-A")
    HouseholdFactory(landlord=sdh, reference="MEN-S")
    client.force_login(alice)
    export = _built_export(client, alice, django_capture_on_commit_callbacks)
    assert sorted(export.landlord_ids) == sorted([actis.pk, sdh.pk])
    url = f"/personnel/exports/{export.pk}/fichier/"
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content)  # read to the end, as a browser (closes the file)

    StaffMembership.objects.filter(user=alice, landlord=sdh).delete()
    response = client.get(url, follow=True)
    assert not hasattr(response, "streaming_content")
    page = response.content.decode()
    assert "Vos accès ont changé depuis cet export" in page
    assert url not in page  # the list no longer offers it
    assert "Plus téléchargeable" in page


def test_a_finished_call_log_export_is_refused_once_its_author_is_no_longer_supervisor(
    client, actis, settings, django_capture_on_commit_callbacks
):
    from housing.models import Role, StaffMembership
    from tests.factories import make_staff

    settings.EXPORT_SYNC_MAX_ROWS = -1  # even an empty export is built by the worker
    supervisor = make_staff(actis, Role.SUPERVISOR, email="cheffe@actis.example")
    StaffMembership.objects.create(user=supervisor, landlord=actis, role=Role.CALLER)
    client.force_login(supervisor)
    export = _built_export(client, supervisor, django_capture_on_commit_callbacks, "call_logs")
    url = f"/personnel/exports/{export.pk}/fichier/"
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content)  # read to the end, as a browser (closes the file)

    StaffMembership.objects.filter(user=supervisor, role=Role.SUPERVISOR).delete()
    response = client.get(url)
    assert response.status_code == 302
    assert not hasattr(response, "streaming_content")
    status = client.get(f"/personnel/exports/{export.pk}/etat/").content.decode()
    assert "Plus téléchargeable" in status
    assert url not in status


def test_an_export_that_records_no_landlord_is_not_served(client, alice, settings):
    """Built before the landlords were recorded (housing 0011): nothing says whose rows it holds."""
    from django.core.files.base import ContentFile

    export = Export(created_by=alice, kind="households", format="csv", status=ExportStatus.DONE)
    export.file.save("ancien.csv", ContentFile(b"\xef\xbb\xbfReference\r\n"), save=False)
    export.save()
    client.force_login(alice)
    response = client.get(f"/personnel/exports/{export.pk}/fichier/", follow=True)
    assert not hasattr(response, "streaming_content")
    assert "Vos accès ont changé depuis cet export" in response.content.decode()
