#!/usr/bin/python3
"""Writes the golden references that GoldenImageTest and GoldenAudioTest compare with, into this folder.

Run from anywhere with Debian's Python (the libraries the reference processors are built on):
    apt-get install -y python3-pil python3-numpy python3-scipy python3-torch
    /usr/bin/python3 core/src/test/resources/golden/make_golden.py
Versions used for the committed files: see VERSIONS (written by this script).

Inputs are integer formulas that the Java tests evaluate identically (dev.phi4ee.core.testkit.GoldenInputs): no
random state is shared between the languages. Outputs are small raw little-endian files (gzip where a table is
larger than a few KB); the pipeline tensor of the image preprocessor is too large to commit, so its SHA-256 is kept
together with a strided sample of the global view for diagnostics.

What produces each reference (the libraries the original Phi-4-multimodal processor calls):
- resize-*.rgb: Pillow Image.resize(..., BILINEAR) (reference section 7.4).
- over-white.gray.gz: Pillow alpha_composite onto white, as transformers' convert_to_rgb (section 7.2).
- pipeline-*.txt: transformers' Phi4MultimodalImageProcessorFast steps: Pillow BILINEAR resize, pad right/bottom with
  255, to_tensor (/255), normalize (mean 0.5, std 0.5), torch.nn.functional.interpolate(size=(448, 448),
  mode="bicubic") with its defaults align_corners=False, antialias=False (cubic convolution A = -0.75,
  aten/src/ATen/native/UpSample.h get_cubic_upsample_coefficients), crops row-major. Run with torch's scalar CPU
  kernels (ATEN_CPU_CAPABILITY=default, set below).
- resample-*.f32: scipy.signal.resample_poly(x, up, down) in float64 with its default Kaiser(5.0) window, cast to
  float32 (section 8.2).
- logmel-*.f32: the original processor's numpy float32 feature pipeline (sections 8.3 to 8.7): per-frame
  pre-emphasis 0.97 with x[-1] = x[0], x 32768, symmetric np.hamming, np.fft.rfft in float64 rounded to complex64,
  np.abs(S) ** 2 in float32, the SpeechLib mel bank (0 to 7690 Hz), ln(max(., 1)).
"""
import gzip
import hashlib
import math
import os
import platform
import sys

import numpy as np
import PIL
import scipy

# The scalar kernels compute in the order of torch's source (UpSampleKernel.cpp: per output, the four horizontal
# taps of each of the four rows, then the rows); the AVX2 build lets the compiler contract multiply-adds into FMA,
# which moves results by up to 4e-7. The reference is the source's arithmetic, so pin the scalar build.
os.environ.setdefault("ATEN_CPU_CAPABILITY", "default")
import torch  # noqa: E402
import torch.nn.functional as F
from PIL import Image
from scipy.signal import resample_poly

HERE = os.path.dirname(os.path.abspath(__file__))
M32 = 0xFFFFFFFF
S = 448


# ---------------------------------------------------------------- inputs (mirrored by GoldenInputs.java)

def mix32(a):
    """A 32-bit integer hash (Java: int arithmetic, >>> for the shifts)."""
    a &= M32
    a = ((a ^ (a >> 16)) * 0x45D9F3B) & M32
    a = ((a ^ (a >> 16)) * 0x45D9F3B) & M32
    return a ^ (a >> 16)


def image_sample(x, y, c, w, h):
    """8-bit sample: a gradient per channel, a 7x5 checkerboard of hard edges and 5 bits of hashed noise, clipped."""
    if c == 0:
        grad = x * 200 // max(1, w - 1)
    elif c == 1:
        grad = y * 200 // max(1, h - 1)
    else:
        grad = ((x + y) % 64) * 3
    edge = 55 if (x // 7 + y // 5) % 2 == 0 else 0
    noise = mix32(x * 73856093 ^ y * 19349663 ^ c * 83492791) >> 27
    return min(255, grad + edge + noise)


def image(w, h):
    a = np.zeros((h, w, 3), dtype=np.uint8)
    for y in range(h):
        for x in range(w):
            for c in range(3):
                a[y, x, c] = image_sample(x, y, c, w, h)
    return Image.fromarray(a, "RGB")


def triangle(n, period, amplitude):
    """Integer triangle wave in [-amplitude, amplitude] (non-negative numerators: // equals Java's /)."""
    return 4 * abs(n % period - period // 2) * amplitude // period - amplitude


def pcm(n, rate):
    """16-bit sample n of the test signal at this rate: two triangles, a square and hashed noise, silent first 30 ms."""
    if n < rate * 3 // 100:
        return 0
    p1, p2, p3 = rate // 455, rate // 1917, rate // 3100
    square = 2500 if n % (2 * p3) < p3 else -2500
    noise = (mix32(n * 0x9E3779B1) >> 20) - 2048
    return triangle(n, p1, 9000) + triangle(n, p2, 5000) + square + noise


def signal(rate, samples):
    return np.array([pcm(n, rate) for n in range(samples)], dtype=np.float32) / np.float32(32768)


# ---------------------------------------------------------------- image references

RESIZE_CASES = [  # in_w, in_h, out_w, out_h: up, down, exactly 3x, one axis unchanged, mixed, 21x down
    (29, 17, 70, 41),
    (61, 47, 20, 15),
    (90, 60, 30, 20),
    (45, 45, 45, 30),
    (64, 40, 43, 71),
    (500, 40, 23, 7),
]

PIPELINE_CASES = [  # w, h, dynamic_hd: 2x2 with bottom padding, 3x1, 1x3 with right padding, search branch
    (640, 480, 36),
    (1000, 300, 36),
    (200, 900, 36),
    (1000, 1000, 4),
]


def resize_references():
    for w, h, ow, oh in RESIZE_CASES:
        out = image(w, h).resize((ow, oh), Image.BILINEAR)
        write(f"resize-{w}x{h}-to-{ow}x{oh}.rgb", out.tobytes())


def over_white_reference():
    """Every (value, alpha) pair, composited on white; one channel (the channels are independent)."""
    im = Image.new("RGBA", (256, 256))
    im.putdata([(v, v, v, a) for a in range(256) for v in range(256)])
    bg = Image.new("RGBA", (256, 256), (255, 255, 255))
    bg.alpha_composite(im)
    write("over-white.gray.gz", gzip.compress(bg.convert("RGB").tobytes()[0::3], mtime=0))


def grid(w, h, dhd):
    wc, hc = math.ceil(w / S), math.ceil(h / S)
    if wc * hc <= dhd:
        return wc, hc
    ratios = sorted({(i, j) for n in range(1, dhd + 1) for i in range(1, n + 1) for j in range(1, n + 1)
                     if 1 <= i * j <= dhd}, key=lambda r: r[0] * r[1])
    best, best_d = (1, 1), float("inf")
    for i, j in ratios:
        d = abs(w / h - i / j)
        if d < best_d:
            best, best_d = (i, j), d
        elif d == best_d and w * h > 0.5 * S * S * i * j:
            best = (i, j)
    return best


def pipeline_reference(w, h, dhd):
    gw, gh = grid(w, h, dhd)
    tw, th = S * gw, S * gh
    rw, rh = tw / w, th / h
    nw, nh = (tw, int(h * rw)) if rw < rh else (int(w * rh), th)
    resized = image(w, h).resize((nw, nh), Image.BILINEAR)
    canvas = Image.new("RGB", (tw, th), (255, 255, 255))
    canvas.paste(resized, (0, 0))
    t = torch.from_numpy(np.asarray(canvas, dtype=np.uint8).copy()).permute(2, 0, 1).float().div(255)
    t = (t - 0.5) / 0.5  # torchvision normalize: sub then div, float32
    glob = F.interpolate(t.unsqueeze(0), size=(S, S), mode="bicubic", align_corners=False)[0]
    tiles = t.reshape(3, gh, S, gw, S).permute(1, 3, 0, 2, 4).reshape(-1, 3, S, S)
    glob = glob.contiguous().numpy().astype("<f4")
    tiles = tiles.contiguous().numpy().astype("<f4")
    sample = glob[:, ::32, ::32].ravel().view("<u4")
    lines = [
        f"image {w}x{h} dynamic_hd {dhd}",
        f"grid {gw}x{gh} resized {nw}x{nh}",
        f"crops {1 + tiles.shape[0]}",
        f"global_view_sha256 {hashlib.sha256(glob.tobytes()).hexdigest()}",
        f"tiles_sha256 {hashlib.sha256(tiles.tobytes()).hexdigest()}",
        "global_view_every_32nd_row_and_column_float_bits " + " ".join(f"{v:08x}" for v in sample.tolist()),
    ]
    write(f"pipeline-{w}x{h}-hd{dhd}.txt", ("\n".join(lines) + "\n").encode())


# ---------------------------------------------------------------- audio references

RESAMPLE_CASES = [(44100, 4410), (48000, 4800), (22050, 2205), (11025, 1103)]  # rate, samples (0.1 s)


def resample_references():
    for rate, n in RESAMPLE_CASES:
        g = math.gcd(16000, rate)  # every rate but 16 and 8 kHz goes to 16 kHz (docs/decisions/audio-resampler.md)
        y = resample_poly(signal(rate, n).astype(np.float64), 16000 // g, rate // g)
        write(f"resample-{rate}.f32", y.astype("<f4").tobytes())


def mel_bank():
    def mel(f):
        return 1127.0 * np.log(1.0 + f / 700.0)

    klo, khi = int(0 * 512 / 16000 + 0.5) + 1, int(7690 * 512 / 16000 + 0.5)
    centres = np.linspace(mel(0), mel(7690), 82)
    ms = (mel(7690) - mel(0)) / 81
    bank = np.zeros((80, 257), dtype=np.float32)
    for m in range(80):
        for k in range(klo, khi):
            b = 1127.0 * np.log(1.0 + k * 16000 / (512 * 700.0))
            if centres[m] < b < centres[m + 2]:
                bank[m, k] = 1.0 - abs(centres[m + 1] - b) / ms
    return bank


def log_mel(x, rate):
    win, hop, nfft = (400, 160, 512) if rate == 16000 else (200, 80, 256)
    t = (len(x) - win) // hop + 1
    frames = np.stack([x[i * hop:i * hop + win] for i in range(t)]).astype(np.float32)
    prev = np.roll(frames, 1, axis=1)
    prev[:, 0] = prev[:, 1]
    y = (frames - np.float32(0.97) * prev) * np.float32(32768)
    spectrum = np.fft.rfft(np.hamming(win) * y, n=nfft, axis=1).astype(np.complex64)
    power = np.abs(spectrum) ** 2  # float32, as the original: magnitude, then squared
    if rate == 8000:  # fill-zero path: bins 0..127 kept, Nyquist and above zero (section 8.7)
        power = np.concatenate([power[:, :128], np.zeros((t, 129), dtype=np.float32)], axis=1)
    return np.log(np.maximum(power @ mel_bank().T, np.float32(1.0))).astype(np.float32)


def log_mel_references():
    for rate, n in [(16000, 4000), (8000, 2000)]:  # 23 frames each, the first 3 silent
        write(f"logmel-{rate}.f32", log_mel(signal(rate, n), rate).astype("<f4").tobytes())


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def main():
    resize_references()
    over_white_reference()
    for case in PIPELINE_CASES:
        pipeline_reference(*case)
    resample_references()
    log_mel_references()
    versions = (f"python {platform.python_version()}, Pillow {PIL.__version__}, numpy {np.__version__}, "
                f"scipy {scipy.__version__}, torch {torch.__version__} "
                f"(ATEN_CPU_CAPABILITY={os.environ['ATEN_CPU_CAPABILITY']}), {platform.machine()}\n")
    write("VERSIONS", versions.encode())
    sys.stdout.write(versions)


if __name__ == "__main__":
    main()
