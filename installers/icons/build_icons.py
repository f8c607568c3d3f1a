"""Make the bitmap icons of the signing client from its two SVG drawings.

``signer-app.svg`` is the application's icon, ``signer-app-document.svg`` the
icon of a contract file (``*.aktivasyon``). From each this script writes, next
to itself (or into ``--out``):

* ``png/<name>-<size>.png`` for the sizes of :data:`PNG_SIZES` (the Linux
  ``hicolor`` theme sizes; ``installers/linux/install.sh`` installs them);
* ``<name>.ico``, one file with the sizes of :data:`ICO_SIZES` (Windows:
  uncompressed 32-bit images below 256 pixels, a PNG image at 256, the way
  Windows' own icons are built);
* ``<name>.icns`` with PNG images from 16 to 1024 pixels (macOS).

The outputs are committed, so building the installers does not need this
script. It uses only what the program already depends on: Qt's SVG renderer
(``PySide6-Essentials``) draws the images and Qt's PNG writer encodes them;
the ICO and ICNS containers are simple enough to write here. With the same Qt
build the outputs are identical byte for byte; ``--check`` tells whether the
committed files are up to date::

    .venv/bin/python installers/icons/build_icons.py [--out DIR] [--check]
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageReader, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

__all__ = [
    "ICNS_TYPES",
    "ICO_SIZES",
    "NAMES",
    "PNG_SIZES",
    "build",
    "icns_bytes",
    "ico_bytes",
    "main",
    "render",
]

HERE: Final = Path(__file__).resolve().parent
#: The drawings (``<name>.svg``) whose bitmaps are made.
NAMES: Final = ("signer-app", "signer-app-document")
#: Sizes of the PNG files: the ``hicolor`` theme's usual sizes.
PNG_SIZES: Final = (16, 22, 24, 32, 48, 64, 128, 256, 512)
#: Sizes in the ``.ico`` files: small icons at 100–250 % scaling, large icons, tiles.
ICO_SIZES: Final = (16, 20, 24, 32, 40, 48, 64, 128, 256)
#: ICNS element types with PNG data and their pixel sizes (``@2x`` types included).
ICNS_TYPES: Final = (
    (b"icp4", 16),
    (b"ic11", 32),
    (b"icp5", 32),
    (b"ic12", 64),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic13", 256),
    (b"ic08", 256),
    (b"ic14", 512),
    (b"ic09", 512),
    (b"ic10", 1024),
)

_PNG_FROM: Final = 256  # ICO images this size and larger are stored as PNG
_TOLERANCE: Final = 24  # per colour channel, for --check


_APP: list[QGuiApplication] = []  # keeps the application object alive


def _ensure_gui() -> None:
    """Create the Qt application object QPainter wants, without a display."""
    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _APP.append(QGuiApplication(["build_icons"]))


def render(svg: Path, size: int) -> QImage:
    """Draw *svg* into a square image.

    :param svg: the drawing.
    :param size: width and height in pixels.
    :returns: a non-premultiplied RGBA image (``Format_RGBA8888``).
    :raises ValueError: the drawing cannot be read.
    """
    _ensure_gui()
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not a drawing Qt can render")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QRectF(0, 0, size, size))
    finally:
        painter.end()
    return image.convertToFormat(QImage.Format.Format_RGBA8888)


def png_bytes(image: QImage) -> bytes:
    """Encode *image* as PNG (maximum compression).

    :param image: the image.
    :returns: the PNG file's bytes.
    :raises ValueError: Qt could not encode it.
    """
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    writer.setQuality(0)  # for PNG: the strongest zlib compression
    if not writer.write(image):
        raise ValueError(f"Qt could not write a PNG image: {writer.errorString()}")
    buffer.close()
    return bytes(data.data())


def _rgba_rows(image: QImage) -> list[bytes]:
    """Return the rows of an ``RGBA8888`` image, top first, without padding."""
    width = image.width()
    stride = image.bytesPerLine()
    bits = bytes(image.constBits())
    return [bits[y * stride : y * stride + 4 * width] for y in range(image.height())]


def _dib(image: QImage) -> bytes:
    """An ICO image in the classic form: a 32-bit BGRA bitmap plus its AND mask."""
    width, height = image.width(), image.height()
    colour = bytearray()
    mask = bytearray()
    mask_stride = ((width + 31) // 32) * 4
    for row in reversed(_rgba_rows(image)):  # bitmaps are stored bottom row first
        bgra = bytearray(row)
        bgra[0::4], bgra[2::4] = row[2::4], row[0::4]
        colour += bgra
        bits = bytearray(mask_stride)
        for x in range(width):
            if row[4 * x + 3] == 0:  # a set bit: fully transparent
                bits[x // 8] |= 0x80 >> (x % 8)
        mask += bits
    header = struct.pack(
        "<IiiHHIIiiII", 40, width, 2 * height, 1, 32, 0, len(colour) + len(mask), 0, 0, 0, 0
    )
    return header + bytes(colour) + bytes(mask)


def ico_bytes(images: Iterable[QImage]) -> bytes:
    """Pack square images into one Windows ``.ico`` file.

    :param images: ``RGBA8888`` images of at most 256 pixels, smallest first.
    :returns: the file's bytes.
    :raises ValueError: an image is larger than 256 pixels or not square.
    """
    entries: list[tuple[int, bytes]] = []
    for image in images:
        size = image.width()
        if size != image.height() or not 0 < size <= 256:
            raise ValueError(f"an ICO image must be square and at most 256 pixels, not {size}")
        entries.append((size, png_bytes(image) if size >= _PNG_FROM else _dib(image)))
    directory = struct.pack("<HHH", 0, 1, len(entries))
    offset = len(directory) + 16 * len(entries)
    body = b""
    for size, data in entries:
        # 0 in the width and height bytes means 256.
        directory += struct.pack(
            "<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset
        )
        offset += len(data)
        body += data
    return directory + body


def icns_bytes(elements: Sequence[tuple[bytes, bytes]]) -> bytes:
    """Pack PNG images into one macOS ``.icns`` file.

    :param elements: ``(type, PNG bytes)`` pairs, e.g. ``(b"ic09", …)``.
    :returns: the file's bytes.
    """
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in elements)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def build(source: Path, out: Path) -> dict[Path, bytes]:
    """Make every output file's content (written by :func:`main`).

    :param source: the folder holding the SVG drawings.
    :param out: the folder the outputs go to.
    :returns: output path → content.
    """
    outputs: dict[Path, bytes] = {}
    for name in NAMES:
        svg = source / f"{name}.svg"
        sizes = sorted({*PNG_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
        images = {size: render(svg, size) for size in sizes}
        pngs = {size: png_bytes(image) for size, image in images.items()}
        for size in PNG_SIZES:
            outputs[out / "png" / f"{name}-{size}.png"] = pngs[size]
        outputs[out / f"{name}.ico"] = ico_bytes(images[size] for size in ICO_SIZES)
        outputs[out / f"{name}.icns"] = icns_bytes(
            [(kind, pngs[size]) for kind, size in ICNS_TYPES]
        )
    return outputs


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or, with ``--check``, compare) the icon files.

    :param argv: the arguments; default ``sys.argv[1:]``.
    :returns: 0, or 1 when ``--check`` found a missing or stale file.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: here)")
    parser.add_argument(
        "--check", action="store_true", help="only tell whether the outputs are up to date"
    )
    options = parser.parse_args(argv)
    outputs = build(HERE, options.out)
    stale = [path for path, data in outputs.items() if not _same(path, data)]
    if options.check:
        for path in stale:
            sys.stderr.write(f"out of date: {path}\n")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(outputs[path])
        sys.stdout.write(f"wrote {path}\n")
    return 0


def _frames(data: bytes) -> list[QImage]:
    """Decode every image of a PNG, ICO or ICNS file, as ``RGBA8888``."""
    array = QByteArray(data)
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    frames: list[QImage] = []
    for index in range(max(reader.imageCount(), 1)):
        if index and not reader.jumpToImage(index):
            break
        image = reader.read()
        if image.isNull():
            break
        frames.append(image.convertToFormat(QImage.Format.Format_RGBA8888))
    return frames


def _same(path: Path, data: bytes) -> bool:
    """Tell whether *path* holds *data*, or the same pictures up to anti-aliasing.

    Qt's rasteriser may pick other CPU-specific code paths on another machine,
    which changes a few edge pixels slightly; a changed drawing changes more.
    """
    try:
        stored = path.read_bytes()
    except FileNotFoundError:
        return False
    if stored == data:
        return True
    old, new = _frames(stored), _frames(data)
    if not new or len(old) != len(new):
        return False
    for before, after in zip(old, new, strict=True):
        if before.size() != after.size():
            return False
        rows = zip(_rgba_rows(before), _rgba_rows(after), strict=True)
        if any(abs(a - b) > _TOLERANCE for x, y in rows for a, b in zip(x, y, strict=True)):
            return False
    return True


if __name__ == "__main__":
    sys.exit(main())
