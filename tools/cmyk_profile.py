"""Make werkboek's CMYK press profile (``src/werkboek/pdf/drukwerk-cmyk.icc``) with LittleCMS.

No CMYK press profile could be found in the reachable registries whose licence allows
embedding it in every file (Debian's free ICC packages hold none; Ghostscript's
``default_cmyk.icc`` is AGPL; the ECI/FOGRA profiles are not in any registry). So werkboek
makes its own, once, from the published characterisation of offset printing on coated paper
(ISO 12647-2:2004/Amd 1, paper type 1/2, the condition of FOGRA39): the CIELAB values of the
paper and of the solids and overprints, and the tone value increase at 50 % (14 % for C, M
and Y, 17 % for K, the standard's curves A and B). It is a model of that condition, not
FOGRA's measured data set: good enough to convert sRGB colour for a press that prints to
FOGRA39, and free (the project's MIT licence) to embed in every PDF.

The model: a Yule-Nielsen modified Neugebauer model (n = 2) over the eight CMY overprints,
with black as a further layer; the device-to-PCS tables (AToB) sample it on an 11-point grid (17 points for the way back).
The PCS-to-device tables (BToA) use grey component replacement (black from lightness, less
of it in saturated colours) and never more than 300 % total ink: each Lab grid point takes
the nearest colour the model prints within that limit.

Run: ``python tools/cmyk_profile.py`` (needs numpy and liblcms2, which Pillow uses too).
The output is the same bytes every time (no date: the profile's header date is fixed).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from pathlib import Path

import numpy as np

TARGET = Path(__file__).resolve().parents[1] / "src" / "werkboek" / "pdf" / "drukwerk-cmyk.icc"
DESCRIPTION = "werkboek CMYK (model van ISO 12647-2 PT1, FOGRA39), max. 300%"
COPYRIGHT = "werkboek, MIT-licentie: vrij in te bedden"
INK_LIMIT = 3.0

# CIELAB (D50, 2 degrees), ISO 12647-2:2004/Amd 1, paper type 1/2 (FOGRA39)
PAPER = (95.0, 0.0, -2.0)
SOLIDS = {  # (c, m, y) overprint: Lab
    (0, 0, 0): PAPER,
    (1, 0, 0): (55.0, -37.0, -50.0),
    (0, 1, 0): (48.0, 74.0, -3.0),
    (0, 0, 1): (89.0, -5.0, 93.0),
    (0, 1, 1): (47.0, 68.0, 48.0),
    (1, 0, 1): (50.0, -65.0, 27.0),
    (1, 1, 0): (24.0, 22.0, -46.0),
    (1, 1, 1): (23.0, 0.0, 0.0),
}
BLACK = (16.0, 0.0, 0.0)
TVI = (0.14, 0.14, 0.14, 0.17)
N = 2.0
D50 = np.array([0.9642, 1.0, 0.8249])


def lab_to_xyz(lab: np.ndarray) -> np.ndarray:
    lightness, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    fy = (lightness + 16) / 116
    fx = fy + a / 500
    fz = fy - b / 200

    def inverse(f: np.ndarray) -> np.ndarray:
        return np.where(f > 6 / 29, f**3, 3 * (6 / 29) ** 2 * (f - 4 / 29))

    return np.stack([inverse(fx), inverse(fy), inverse(fz)], axis=-1) * D50


def xyz_to_lab(xyz: np.ndarray) -> np.ndarray:
    t = xyz / D50

    def f(v: np.ndarray) -> np.ndarray:
        return np.where(v > (6 / 29) ** 3, np.cbrt(v), v / (3 * (6 / 29) ** 2) + 4 / 29)

    fx, fy, fz = f(t[..., 0]), f(t[..., 1]), f(t[..., 2])
    return np.stack([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)], axis=-1)


PAPER_XYZ = lab_to_xyz(np.array(PAPER))


def printed(cmyk: np.ndarray) -> np.ndarray:
    """Media-relative Lab (the paper is L 100) of device values in 0..1, shape (..., 4)."""
    effective = cmyk + 4 * np.array(TVI) * cmyk * (1 - cmyk)  # tone value increase
    c, m, y, k = (effective[..., i] for i in range(4))
    total = np.zeros((*cmyk.shape[:-1], 3))
    for (pc, pm, py), lab in SOLIDS.items():
        weight = ((c if pc else 1 - c) * (m if pm else 1 - m) * (y if py else 1 - y))[..., None]
        total += weight * lab_to_xyz(np.array(lab)) ** (1 / N)
    cmy_xyz = total**N
    black = lab_to_xyz(np.array(BLACK)) / PAPER_XYZ
    with_black = (
        (1 - k)[..., None] * cmy_xyz ** (1 / N) + k[..., None] * (cmy_xyz * black) ** (1 / N)
    ) ** N
    return xyz_to_lab(with_black / PAPER_XYZ * D50)


def grid(points: int, channels: int) -> np.ndarray:
    """Every grid point, the first channel varying slowest (LittleCMS's CLUT order)."""
    axis = np.linspace(0.0, 1.0, points)
    mesh = np.meshgrid(*([axis] * channels), indexing="ij")
    return np.stack([m.reshape(-1) for m in mesh], axis=-1)


def lab_to_pcs16(lab: np.ndarray) -> np.ndarray:
    """ICC v4 16-bit Lab encoding."""
    encoded = np.stack(
        [lab[..., 0] / 100 * 65535, (lab[..., 1] + 128) * 257, (lab[..., 2] + 128) * 257], axis=-1
    )
    return np.clip(np.rint(encoded), 0, 65535).astype(np.uint16)


def pcs16_to_lab(values: np.ndarray) -> np.ndarray:
    return np.stack(
        [values[..., 0] * 100 / 65535, values[..., 1] / 257 - 128, values[..., 2] / 257 - 128],
        axis=-1,
    )


def separation(lab: np.ndarray) -> np.ndarray:
    """Device values (0..1) for media-relative Lab values: black by grey component
    replacement, then the nearest printable colour within the ink limit."""
    steps = 21
    candidates = grid(steps, 3)
    black_levels = np.linspace(0.0, 1.0, steps)
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    wanted_k = np.clip((78 - lab[:, 0]) / 62, 0, 1) ** 1.2 * np.clip(1 - chroma / 70, 0.15, 1)
    level = np.rint(wanted_k * (steps - 1)).astype(int)
    out = np.zeros((len(lab), 4))
    for index, k in enumerate(black_levels):
        chosen = np.nonzero(level == index)[0]
        if not len(chosen):
            continue
        allowed = candidates[candidates.sum(axis=1) + k <= INK_LIMIT + 1e-9]
        full = np.concatenate([allowed, np.full((len(allowed), 1), k)], axis=1)
        made = printed(full)
        for start in range(0, len(chosen), 512):
            part = chosen[start : start + 512]
            # lightness counts double: a dark colour stays dark
            diff = made[None, :, :] - lab[part, None, :]
            distance = (2 * diff[..., 0]) ** 2 + diff[..., 1] ** 2 + diff[..., 2] ** 2
            out[part] = full[np.argmin(distance, axis=1)]
    return out


def main() -> int:
    lcms = ctypes.CDLL(ctypes.util.find_library("lcms2") or "liblcms2.so.2")
    lcms.cmsCreateProfilePlaceholder.restype = ctypes.c_void_p
    lcms.cmsCreateProfilePlaceholder.argtypes = [ctypes.c_void_p]
    lcms.cmsStageAllocCLut16bit.restype = ctypes.c_void_p
    lcms.cmsStageAllocCLut16bit.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_void_p,
    ]
    lcms.cmsStageAllocToneCurves.restype = ctypes.c_void_p
    lcms.cmsStageAllocToneCurves.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_void_p]
    lcms.cmsPipelineAlloc.restype = ctypes.c_void_p
    lcms.cmsPipelineAlloc.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint]
    lcms.cmsPipelineInsertStage.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    lcms.cmsWriteTag.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_void_p]
    lcms.cmsMLUalloc.restype = ctypes.c_void_p
    lcms.cmsMLUalloc.argtypes = [ctypes.c_void_p, ctypes.c_uint]
    lcms.cmsMLUsetASCII.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
    ]
    lcms.cmsSaveProfileToMem.argtypes = [
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_uint),
    ]
    for name in ("cmsSetProfileVersion",):
        getattr(lcms, name).argtypes = [ctypes.c_void_p, ctypes.c_double]
    for name in (
        "cmsSetDeviceClass",
        "cmsSetColorSpace",
        "cmsSetPCS",
        "cmsSetHeaderRenderingIntent",
    ):
        getattr(lcms, name).argtypes = [ctypes.c_void_p, ctypes.c_uint]
    lcms.cmsLinkTag.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint]
    lcms.cmsSetHeaderFlags.argtypes = [ctypes.c_void_p, ctypes.c_uint]

    def sig(text: str) -> int:
        return int.from_bytes(text.encode(), "big")

    errors = []
    handler = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint, ctypes.c_char_p)(
        lambda context, code, message: errors.append(message.decode())
    )
    lcms.cmsSetLogErrorHandler(handler)
    profile = lcms.cmsCreateProfilePlaceholder(None)
    lcms.cmsSetProfileVersion(profile, ctypes.c_double(4.3))
    lcms.cmsSetDeviceClass(profile, sig("prtr"))
    lcms.cmsSetColorSpace(profile, sig("CMYK"))
    lcms.cmsSetPCS(profile, sig("Lab "))
    lcms.cmsSetHeaderRenderingIntent(profile, 1)

    def text(value: str) -> ctypes.c_void_p:
        mlu = lcms.cmsMLUalloc(None, 1)
        lcms.cmsMLUsetASCII(mlu, b"en", b"US", value.encode("ascii", "replace"))
        return mlu

    lcms.cmsWriteTag(profile, sig("desc"), text(DESCRIPTION))
    lcms.cmsWriteTag(profile, sig("cprt"), text(COPYRIGHT))
    white = (ctypes.c_double * 3)(*PAPER_XYZ)
    lcms.cmsWriteTag(profile, sig("wtpt"), white)

    def pipeline(points: int, inputs: int, outputs: int, table: np.ndarray) -> ctypes.c_void_p:
        data = np.ascontiguousarray(table.reshape(-1), dtype=np.uint16)
        stage = lcms.cmsStageAllocCLut16bit(None, points, inputs, outputs, data.ctypes.data)
        lut = lcms.cmsPipelineAlloc(None, inputs, outputs)
        # identity curves around the table (a v4 lutAtoB/lutBtoA needs its A and B curves)
        lcms.cmsPipelineInsertStage(lut, 1, lcms.cmsStageAllocToneCurves(None, inputs, None))
        lcms.cmsPipelineInsertStage(lut, 1, stage)  # (cmsAT_END)
        lcms.cmsPipelineInsertStage(lut, 1, lcms.cmsStageAllocToneCurves(None, outputs, None))
        return lut

    device = grid(11, 4)
    forward = pipeline(11, 4, 3, lab_to_pcs16(printed(device)))
    pcs = grid(17, 3)
    lab = pcs16_to_lab(np.rint(pcs * 65535))
    backward = pipeline(17, 3, 4, np.rint(separation(lab) * 65535))
    gamut_free = pipeline(2, 3, 1, np.zeros(8))
    lcms.cmsWriteTag(profile, sig("A2B0"), forward)
    lcms.cmsWriteTag(profile, sig("B2A0"), backward)
    for intent in "12":  # (the same tables for every intent, stored once)
        lcms.cmsLinkTag(profile, sig(f"A2B{intent}"), sig("A2B0"))
        lcms.cmsLinkTag(profile, sig(f"B2A{intent}"), sig("B2A0"))
    lcms.cmsWriteTag(profile, sig("gamt"), gamut_free)

    size = ctypes.c_uint(0)
    lcms.cmsSaveProfileToMem(profile, None, ctypes.byref(size))
    buffer = ctypes.create_string_buffer(size.value)
    lcms.cmsSaveProfileToMem(profile, buffer, ctypes.byref(size))
    if errors or not size.value:
        print("LittleCMS:", "; ".join(errors) or "no profile written", file=sys.stderr)
        return 1
    data = bytearray(buffer.raw[: size.value])
    data[24:36] = bytes(12)  # the creation date: none (the same bytes every time)
    data[84:100] = bytes(16)  # the profile ID (an MD5 over the date): none
    TARGET.write_bytes(bytes(data))
    print(f"{TARGET}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
