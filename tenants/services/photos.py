"""Photos of technical requests: accepted by content, re-encoded without metadata."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from tenants.errors import TenantError

try:  # HEIC photos (iPhones) when pillow-heif is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_FORMATS = {"HEIF"}
except ImportError:  # pragma: no cover - depends on the installed packages
    HEIF_FORMATS = set()

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG"} | HEIF_FORMATS


@dataclass
class PreparedPhoto:
    content: ContentFile
    content_type: str
    size: int


def _reencode(upload) -> PreparedPhoto:
    name = getattr(upload, "name", "") or _("photo")
    not_a_photo = TenantError(
        _("Le fichier « %(name)s » n'est pas une photo JPEG, PNG ou HEIC.") % {"name": name}
    )
    if upload.size > MAX_PHOTO_BYTES:
        raise TenantError(_("La photo « %(name)s » dépasse 8 Mo.") % {"name": name})
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise not_a_photo
            if image.width * image.height > MAX_PIXELS:
                raise TenantError(_("La photo « %(name)s » est trop grande.") % {"name": name})
            source_format = image.format
            image.load()
            # Turn the picture as the camera meant, then drop EXIF (place, device, date).
            image = ImageOps.exif_transpose(image)
            output = io.BytesIO()
            if source_format == "PNG":
                if image.mode not in ("RGB", "RGBA", "L", "LA"):
                    image = image.convert("RGBA")
                image.save(output, format="PNG", optimize=True)
                extension, content_type = "png", "image/png"
            else:
                if image.mode != "RGB":
                    image = image.convert("RGB")
                image.save(output, format="JPEG", quality=85)
                extension, content_type = "jpg", "image/jpeg"
    except TenantError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise not_a_photo from error
    finally:
        upload.seek(0)
    data = output.getvalue()
    return PreparedPhoto(
        content=ContentFile(data, name=f"photo.{extension}"),
        content_type=content_type,
        size=len(data),
    )


def prepare_photos(uploads, *, already: int = 0) -> list[PreparedPhoto]:
    """Check and re-encode every upload before anything is written; raise a French message."""
    uploads = [upload for upload in uploads if upload]
    if already + len(uploads) > MAX_PHOTOS:
        raise TenantError(_("Trois photos au plus par demande."))
    return [_reencode(upload) for upload in uploads]
