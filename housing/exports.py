"""Exports of staff data as CSV or XLSX: small ones at once, large ones by the worker.

Each app declares what it exports (:func:`register` an :class:`ExportSpec` from its ``ready()``):
a title, columns, and the scoped queryset of a user; housing never imports those apps. Rows are
read with ``values_list()`` in chunks, a constant number of queries whatever the size. CSV files
are written as French spreadsheets read them (UTF-8 with a byte-order mark, ``;``, dates
JJ/MM/AAAA, decimal commas); XLSX cells keep their types.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import models, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from housing.models import Export, ExportFormat, ExportStatus
from housing.scoping import landlord_ids_with_role, staff_landlord_ids

#: The refusal of an export the user's roles do not open (page, admin action, service).
NOT_YOUR_EXPORT = gettext_lazy("Votre rôle ne donne pas accès à cet export.")
#: A finished export whose author has since lost a landlord it covers, or the role it needs.
ACCESS_CHANGED = gettext_lazy(
    "Vos accès ont changé depuis cet export : il n'est plus téléchargeable. Relancez-le si votre "
    "rôle le permet."
)
#: Rows read per query while exporting.
CHUNK_SIZE = 2000
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportError(Exception):
    """An export was refused; the message is French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ExportColumn:
    """One column: its French header and the ``values_list()`` path of its value."""

    label: Any
    path: str
    choices: type[models.TextChoices] | None = None


@dataclass(frozen=True)
class ExportSpec:
    kind: str
    title: Any  # French, lazy
    columns: tuple[ExportColumn, ...]
    #: The rows ``user`` may see (through ``visible_to``), in a stable order.
    queryset: Callable[[Any], models.QuerySet]
    filename: str = field(default="")
    #: Roles that may export it (empty: every staff role). With roles, the rows are those of the
    #: landlords (reached by ``landlord_path``) where the user holds one of them.
    roles: tuple[str, ...] = ()
    landlord_path: str = "landlord"

    def allowed(self, user) -> bool:
        return not self.roles or bool(landlord_ids_with_role(user, self.roles))

    def landlord_ids(self, user) -> list[int]:
        """The landlords whose rows ``user`` gets from this export (every one for superusers)."""
        if self.roles or getattr(user, "is_superuser", False):
            return landlord_ids_with_role(user, self.roles)
        return staff_landlord_ids(user)

    def still_open_to(self, user, landlord_ids) -> bool:
        """Whether a file built for ``landlord_ids`` may still go to ``user``. A file that records
        no landlord (built before they were recorded) is not served: nothing says whose rows it
        holds. Superusers see every landlord, deleted ones included."""
        if not self.allowed(user) or not landlord_ids:
            return False
        return getattr(user, "is_superuser", False) or set(landlord_ids) <= set(
            self.landlord_ids(user)
        )

    def restrict(self, queryset: models.QuerySet, user) -> models.QuerySet:
        """``queryset`` (already scoped) cut to the landlords where ``user`` holds the roles."""
        if not self.roles:
            return queryset
        landlord_ids = landlord_ids_with_role(user, self.roles)
        return queryset.filter(**{f"{self.landlord_path}__in": landlord_ids})

    def rows(self, user) -> Iterator[tuple]:
        return self.rows_of(self.restrict(self.queryset(user), user))

    def rows_of(self, queryset: models.QuerySet) -> Iterator[tuple]:
        """The rows of ``queryset`` (already scoped), with the labels of coded values."""
        labels = [
            dict(column.choices.choices) if column.choices else None for column in self.columns
        ]
        values = queryset.values_list(*(column.path for column in self.columns))
        for row in values.iterator(chunk_size=CHUNK_SIZE):
            yield tuple(
                str(choices.get(value, value)) if choices and value else value
                for value, choices in zip(row, labels, strict=True)
            )

    def headers(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    def count(self, user) -> int:
        return self.restrict(self.queryset(user), user).count()


REGISTRY: dict[str, ExportSpec] = {}


def register(spec: ExportSpec) -> None:
    REGISTRY[spec.kind] = spec


def spec_for(kind: str) -> ExportSpec:
    try:
        return REGISTRY[kind]
    except KeyError:
        raise ExportError(_("Export inconnu : « %(kind)s ».") % {"kind": kind}) from None


# Writing ----------------------------------------------------------------------------------------


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "as_national"):  # a phone number: 04 76 68 39 39
        return value.as_national
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, Decimal | float):
        return number_format(value, use_l10n=True)
    if isinstance(value, dict):
        return " ; ".join(f"{key} : {item}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _xlsx_cell(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, dict | list):
        return _csv_cell(value)
    if hasattr(value, "as_national"):
        return value.as_national
    return value


class _Echo:
    def write(self, value):
        return value


def csv_rows(rows: Iterable[Iterable]) -> Iterator[str]:
    """A CSV file as French spreadsheets read it, line by line: a byte-order mark first (Excel
    then reads UTF-8), ``;`` between cells, each cell written by :func:`_csv_cell`. Every CSV the
    portal hands out is written here."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def csv_lines(headers: list[str], rows: Iterable[tuple]) -> Iterator[str]:
    """The CSV file of an export: its header line, then its rows."""
    return csv_rows(itertools.chain([headers], rows))


def csv_download(lines: Iterable[str], filename: str) -> StreamingHttpResponse:
    """``lines`` (from :func:`csv_rows`) streamed as a file to save, read from the database as
    they are sent."""
    response = StreamingHttpResponse(lines, content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def write_xlsx(target, title: str, headers: list[str], rows: Iterable[tuple]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(headers)
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
    workbook.save(target)


def _filename(spec: ExportSpec, format: str) -> str:
    return f"{slugify(str(spec.title))}-{timezone.localdate():%Y-%m-%d}.{format}"


def export_response(*, spec: ExportSpec, rows: Iterable[tuple], format: str) -> HttpResponse:
    """The file at once: CSV streamed, XLSX built in memory (small exports only)."""
    filename = _filename(spec, format)
    if format == ExportFormat.CSV:
        return csv_download(csv_lines(spec.headers(), rows), filename)
    buffer = io.BytesIO()
    write_xlsx(buffer, str(spec.title), spec.headers(), rows)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def admin_export_actions(kind: str) -> list:
    """Django admin actions exporting the selected rows (already scoped by the admin) at once."""

    def make(format: str, description):
        def export_selected(modeladmin, request, queryset):
            spec = spec_for(kind)
            if not spec.allowed(request.user):
                raise PermissionDenied(NOT_YOUR_EXPORT)
            rows = spec.rows_of(spec.restrict(queryset, request.user))
            return export_response(spec=spec, rows=rows, format=format)

        export_selected.__name__ = f"export_{format}"
        return admin.action(description=description)(export_selected)

    return [
        make(ExportFormat.CSV, gettext_lazy("Exporter la sélection (CSV)")),
        make(ExportFormat.XLSX, gettext_lazy("Exporter la sélection (Excel)")),
    ]


# The service -----------------------------------------------------------------------------------


@transaction.atomic
def export_request(*, user, kind: str, format: str) -> tuple[HttpResponse | None, Export | None]:
    """An export of ``kind`` for ``user``: (the file now, None) when small enough, else
    (None, the recorded export the worker builds)."""
    from housing.tasks import build_export
    from portal.tasks import enqueue_on_commit

    spec = spec_for(kind)
    if not spec.allowed(user):
        raise ExportError(NOT_YOUR_EXPORT)
    if format not in ExportFormat.values:
        raise ExportError(_("Format inconnu : « %(format)s ».") % {"format": format})
    total = spec.count(user)
    if total <= settings.EXPORT_SYNC_MAX_ROWS:
        return export_response(spec=spec, rows=spec.rows(user), format=format), None
    export = Export.objects.create(
        created_by=user,
        kind=kind,
        format=format,
        total=total,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    enqueue_on_commit(build_export, export_id=export.pk)
    return None, export


#: Progress is written every so many rows.
PROGRESS_EVERY = 1000


def export_build(*, export_id: int) -> None:
    """Write the export's file (idempotent: a finished export is left alone)."""
    claimed = Export.objects.filter(
        pk=export_id, status__in=[ExportStatus.PENDING, ExportStatus.FAILED]
    ).update(status=ExportStatus.RUNNING, written=0, error="", updated_at=timezone.now())
    if not claimed:
        return
    export = Export.objects.select_related("created_by").get(pk=export_id)
    spec = spec_for(export.kind)
    landlord_ids = spec.landlord_ids(export.created_by)

    def counted(rows):
        for number, row in enumerate(rows, start=1):
            if number % PROGRESS_EVERY == 0:
                Export.objects.filter(pk=export_id).update(written=number)
            yield row

    try:
        with translation.override(export.language), tempfile.TemporaryFile() as target:
            rows = counted(spec.rows(export.created_by))
            if export.format == ExportFormat.CSV:
                wrapper = io.TextIOWrapper(target, encoding="utf-8", newline="")
                wrapper.writelines(csv_lines(spec.headers(), rows))
                wrapper.flush()
                wrapper.detach()
            else:
                write_xlsx(target, str(spec.title), spec.headers(), rows)
            target.seek(0)
            export.file.save(_filename(spec, export.format), File(target), save=False)
        total = spec.count(export.created_by)
        Export.objects.filter(pk=export_id).update(
            status=ExportStatus.DONE,
            file=export.file.name,
            landlord_ids=landlord_ids,
            total=total,
            written=total,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    except Exception as error:
        Export.objects.filter(pk=export_id).update(
            status=ExportStatus.FAILED, error=str(error), updated_at=timezone.now()
        )
        raise


def exports_purge(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Delete the exports (and files) made more than a day ago; returns how many."""
    old = Export.objects.filter(created_at__lt=timezone.now() - older_than)
    names = [name for name in old.values_list("file", flat=True) if name]
    count, _deleted = old.delete()
    storage = Export._meta.get_field("file").storage
    for name in names:
        storage.delete(name)
    return count
