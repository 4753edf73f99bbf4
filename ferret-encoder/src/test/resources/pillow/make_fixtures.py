"""Writes the Pillow reference fixtures beside this script (run with Debian bookworm's python3-pil 9.4.0,
the Pillow version of the golden run):

    python3 make_fixtures.py

* resize.safetensors: for each case N, `N.input` U8 [h, w, 3] and `N.output` U8 [H, W, 3] =
  np.asarray(Image.fromarray(input).resize((W, H), Image.BICUBIC)).
* the image files listed in CONVERSIONS, and conversion.safetensors with `<file>.rgb` U8 [h, w, 3] =
  np.asarray(Image.open(file).convert("RGB")) plus `<file>.mode` (Pillow's mode, as metadata).
"""
import json
import struct
import zlib

import numpy as np
from PIL import Image

rng = np.random.default_rng(20240607)

RESIZE_CASES = [  # (in_w, in_h, out_w, out_h, content)
    (37, 23, 64, 48, "uniform"),    # upscale both axes
    (200, 150, 33, 45, "binary"),   # downscale both, 0/255 noise so the cubic overshoots and clamps
    (16, 300, 24, 24, "binary"),    # upscale x, strong downscale y
    (50, 50, 50, 20, "uniform"),    # width unchanged: horizontal pass skipped
    (61, 40, 17, 40, "binary"),     # height unchanged: vertical pass skipped
    (2, 2, 9, 7, "uniform"),        # smallest accepted input
    (1000, 3, 5, 5, "binary"),      # extreme aspect ratio
    (307, 223, 112, 112, "smooth"), # a smooth gradient (many rounding ties), downscaled ~2.7x
]


def content(kind, h, w):
    if kind == "uniform":
        return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    if kind == "binary":
        return (rng.integers(0, 2, (h, w, 3)) * 255).astype(np.uint8)
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([(x * 255 // (w - 1)), (y * 255 // (h - 1)), ((x + y) % 256)], -1).astype(np.uint8)


def write_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, arr in tensors.items():
        data = np.ascontiguousarray(arr).tobytes()
        header[name] = {"dtype": "U8", "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def png(path, w, h, colour_type, bit_depth, rows):
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, colour_type, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_conversion_files():
    v16 = rng.integers(0, 65536, (6, 7, 4), dtype=np.uint16)
    v16[0, :4, 0] = [0, 255, 256, 1000]                     # around Pillow's clamp for 16-bit grey
    png("gray16.png", 7, 6, 0, 16, [r[:, 0].astype(">u2").tobytes() for r in v16])
    png("la16.png", 7, 6, 4, 16, [r[:, :2].astype(">u2").tobytes() for r in v16])
    png("rgb16.png", 7, 6, 2, 16, [r[:, :3].astype(">u2").tobytes() for r in v16])
    png("rgba16.png", 7, 6, 6, 16, [r.astype(">u2").tobytes() for r in v16])
    png("gray2.png", 4, 2, 0, 2, [bytes([0b00011011]), bytes([0b11100100])])
    rgba = rng.integers(0, 256, (5, 6, 4), dtype=np.uint8)
    rgba[0, 0, 3] = 0                                       # transparent pixel keeps its colour
    Image.fromarray(rgba, "RGBA").save("rgba.png")
    Image.fromarray(rgba[..., [0, 3]].copy(), "LA").save("la.png")
    pal = Image.fromarray(rng.integers(0, 256, (9, 11, 3), dtype=np.uint8), "RGB").quantize(7)
    pal.save("palette.png", transparency=2)
    pal.save("palette.gif")
    Image.fromarray(content("smooth", 24, 32)[..., 0].copy(), "L").save("gray.jpg", quality=90)
    Image.fromarray(rng.integers(0, 256, (16, 16, 4), dtype=np.uint8), "CMYK").save("cmyk.jpg", quality=95)
    return ["gray16.png", "la16.png", "rgb16.png", "rgba16.png", "gray2.png", "rgba.png", "la.png",
            "palette.png", "palette.gif", "gray.jpg", "cmyk.jpg"]


def main():
    tensors = {}
    for i, (w, h, ow, oh, kind) in enumerate(RESIZE_CASES):
        src = content(kind, h, w)
        tensors[f"{i}.input"] = src
        tensors[f"{i}.output"] = np.asarray(Image.fromarray(src, "RGB").resize((ow, oh), Image.BICUBIC))
    write_safetensors("resize.safetensors", tensors, {"pillow": Image.__version__})

    tensors, modes = {}, {}
    for f in make_conversion_files():
        im = Image.open(f)
        modes[f + ".mode"] = im.mode
        tensors[f + ".rgb"] = np.asarray(im.convert("RGB"))
    write_safetensors("conversion.safetensors", tensors, {"pillow": Image.__version__, **modes})


if __name__ == "__main__":
    main()
