"""Background work of housing: exports."""

import datetime

from celery import shared_task
from django.utils import timezone

from housing.exports import export_build, exports_purge
from housing.models import Export, ExportStatus
from portal.tasks import enqueue_on_commit


@shared_task(name="housing.build_export")
def build_export(*, export_id: int) -> None:
    export_build(export_id=export_id)


@shared_task(name="housing.purge_exports")
def purge_exports() -> int:
    """Delete the exports of more than a day; send again those whose message was lost."""
    stale = Export.objects.filter(
        status=ExportStatus.PENDING,
        created_at__lt=timezone.now() - datetime.timedelta(minutes=5),
    ).values_list("pk", flat=True)
    for export_id in stale:
        enqueue_on_commit(build_export, export_id=export_id)
    return exports_purge()
