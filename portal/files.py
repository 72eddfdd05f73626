"""Uploaded files served through a view that has checked who asks (never a public media address)."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def photo_response(photo: FieldFile, content_type: str) -> FileResponse:
    """``photo``, shown in the page: 404 when its file is gone from the storage, kept by the
    browser only (never a shared cache), and never sniffed as another type than ``content_type``.
    The caller has already fetched the row through ``visible_to``."""
    try:
        handle = photo.storage.open(photo.name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
