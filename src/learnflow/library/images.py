"""A resource's picture: fetched once through curation.fetcher (SSRF-safe, bounded), taken only when it is a real
PNG, JPEG, GIF or WebP of sane dimensions, then shrunk and re-encoded so that nothing of the original file but its
pixels survives (no SVG script, no polyglot, no metadata). `image_prepare` is pure and raises ImageRefused with a
sentence for the curator; it never lets another exception out, whatever the bytes are."""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from learnflow.curation import fetcher

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 10_000  # either side, as the file declares it, before anything is decoded
MAX_PIXELS = 24_000_000  # width × height (a 2 MB PNG can declare gigapixels: a decompression bomb)
MIN_SIDE = 16  # smaller is a tracking pixel or a spacer, not a picture
SHOWN_BOX = (1200, 1200)  # the stored copy fits in this box
THUMB_SIZE = (320, 180)  # the lists' copy: their 160 × 90 box at twice the density, cropped to fill it
ACCEPT = "image/webp, image/png, image/jpeg, image/gif;q=0.9"

# What the first bytes of each accepted format look like, and Pillow's name for it.
_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF", "WEBP": "WEBP"}


class ImageRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class PreparedImage:
    content: bytes
    content_type: str
    suffix: str
    width: int
    height: int
    thumb: bytes = b""


def max_bytes() -> int:
    return int(getattr(settings, "LEARNFLOW_LIBRARY_IMAGE_MAX_BYTES", DEFAULT_MAX_BYTES) or DEFAULT_MAX_BYTES)


def sniff(data: bytes) -> str | None:
    """The raster format the bytes are, by their magic number; None for anything else (SVG, HTML, ICO, …)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if len(data) >= 12 and data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def image_prepare(data: bytes) -> PreparedImage:
    """Check and re-encode one image. Raises ImageRefused (and nothing else)."""
    from PIL import Image

    try:
        return _prepare(data)
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("The image is too large (it declares more pixels than a picture needs).") from None
    except Exception as exc:  # noqa: BLE001 - a hostile file may trip any corner of a decoder: refuse, never crash
        raise ImageRefused(f"The image could not be read ({type(exc).__name__}).") from None


def _prepare(data: bytes) -> PreparedImage:
    from PIL import Image, ImageOps

    limit = max_bytes()
    if len(data) > limit:
        raise ImageRefused(f"The image is larger than {limit // 1024} KB.")
    kind = sniff(data)
    if kind is None:
        raise ImageRefused("The address is not a PNG, JPEG, GIF or WebP picture.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data), formats=[kind]) as im:  # reads the header only
            width, height = im.size
            if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                raise ImageRefused(f"The image is too large ({width} × {height} pixels).")
            if width < MIN_SIDE or height < MIN_SIDE:
                raise ImageRefused(f"The image is too small to show ({width} × {height} pixels).")
            if kind == "JPEG":
                im.draft("RGB", SHOWN_BOX)  # decode at a reduced scale: less memory and time for big photos
            im.load()  # the first frame of an animation; a truncated file raises here
            picture: Any = ImageOps.exif_transpose(im)
            transparent = picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P"
                                                                   and "transparency" in picture.info)
            picture = picture.convert("RGBA" if transparent else "RGB")
            picture.thumbnail(SHOWN_BOX, Image.Resampling.LANCZOS)
            # New files from the pixels alone: no EXIF (where a phone puts the place a photo was taken), no ICC, no
            # comments, no trailing bytes.
            thumb = ImageOps.fit(picture, THUMB_SIZE, Image.Resampling.LANCZOS)
            return PreparedImage(content=_webp(picture), content_type="image/webp", suffix=".webp",
                                 width=picture.width, height=picture.height, thumb=_webp(thumb))


def _webp(picture: Any) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="WEBP", quality=82, method=4)
    return out.getvalue()


def image_fetch(url: str) -> PreparedImage:
    """Fetch `url` with the safe fetcher and prepare it. Raises fetcher.FetchError or ImageRefused, each with a
    sentence for the curator."""
    limit = max_bytes()
    response = fetcher.fetch(url, max_bytes=limit, accept=ACCEPT)
    return image_prepare(response.content)
