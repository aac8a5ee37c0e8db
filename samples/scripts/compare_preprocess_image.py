#!/usr/bin/env python3
"""Compare `phi4 preprocess-image` output with an independent Python computation of reference §7.

Usage: compare_preprocess_image.py OUT_DIR IMAGE... [--dynamic-hd N]
Needs Pillow and NumPy (Debian: apt-get install python3-pil python3-numpy). Decodes each image with Pillow
(convert_to_rgb: alpha composited on white), plans the crop grid, resizes with Pillow BILINEAR, normalises,
pads with white, tiles, and computes the global view with a float32 NumPy port of PyTorch's bicubic
(A = -0.75, align_corners=False, no antialias). Prints max/mean abs differences per tensor.
"""
import json
import math
import sys

import numpy as np
from PIL import Image

S = 448


def candidates(max_num):
    ratios = set((i, j) for n in range(1, max_num + 1) for i in range(1, n + 1) for j in range(1, n + 1)
                 if 1 <= i * j <= max_num)
    return sorted(ratios, key=lambda x: x[0] * x[1])


def grid(w, h, dhd):
    wc, hc = math.ceil(w / S), math.ceil(h / S)
    if wc * hc <= dhd:
        return wc, hc
    aspect, best, best_d = w / h, (1, 1), float("inf")
    for i, j in candidates(dhd):
        d = abs(aspect - i / j)
        if d < best_d:
            best, best_d = (i, j), d
        elif d == best_d and w * h > 0.5 * S * S * i * j:
            best = (i, j)
    return best


def to_rgb(im):
    if im.mode == "RGB":
        return im
    rgba = im.convert("RGBA")
    bg = Image.new("RGBA", rgba.size, (255, 255, 255))
    bg.alpha_composite(rgba)
    return bg.convert("RGB")


def cubic_taps(n_in, n_out):
    a = np.float32(-0.75)
    scale = np.float32(n_in) / np.float32(n_out)
    idx = np.zeros((n_out, 4), dtype=np.int64)
    wts = np.zeros((n_out, 4), dtype=np.float32)
    for d in range(n_out):
        src = scale * np.float32(d + 0.5) - np.float32(0.5)
        i0 = min(int(math.floor(src)), n_in - 1)
        t = np.float32(min(max(src - np.float32(i0), 0.0), 1.0))
        x2 = np.float32(1) - t
        inner = lambda x: ((a + 2) * x - (a + 3)) * x * x + 1
        outer = lambda x: ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        wts[d] = [outer(t + 1), inner(t), inner(x2), outer(x2 + 1)]
        idx[d] = [min(max(i0 - 1 + k, 0), n_in - 1) for k in range(4)]
    return idx, wts


def bicubic(canvas):  # canvas [3, H, W] float32 -> [3, 448, 448]
    iy, wy = cubic_taps(canvas.shape[1], S)
    ix, wx = cubic_taps(canvas.shape[2], S)
    horiz = sum(canvas[:, :, ix[:, k]] * wx[:, k] for k in range(4))  # [3, H, 448]
    return sum(horiz[:, iy[:, k], :] * wy[:, k][None, :, None] for k in range(4)).astype(np.float32)


def preprocess(path, dhd):
    im = to_rgb(Image.open(path))
    w, h = im.size
    gw, gh = grid(w, h, dhd)
    tw, th = S * gw, S * gh
    rw, rh = tw / w, th / h
    nw, nh = (tw, int(h * rw)) if rw < rh else (int(w * rh), th)
    resized = np.asarray(im.resize((nw, nh), Image.BILINEAR), dtype=np.float32)
    norm = ((resized / np.float32(255)) - np.float32(0.5)) / np.float32(0.5)
    canvas = np.ones((3, th, tw), dtype=np.float32)
    canvas[:, :nh, :nw] = norm.transpose(2, 0, 1)
    crops = [bicubic(canvas)]
    for r in range(gh):
        for c in range(gw):
            crops.append(canvas[:, r * S:(r + 1) * S, c * S:(c + 1) * S])
    mask = np.ones((32 * gh, 32 * gw), dtype=np.float32)
    zc, zr = (tw - nw) // 14, (th - nh) // 14
    if zc:
        mask[:, -zc:] = 0
    if zr:
        mask[-zr:, :] = 0
    masks = [np.ones((32, 32), np.float32)] + [mask[r * 32:(r + 1) * 32, c * 32:(c + 1) * 32]
                                              for r in range(gh) for c in range(gw)]
    d = mask[0::2, 0::2]
    tokens = int(256 + 16 + 1 + d.sum() + d[:, 0].sum())
    return np.stack(crops), np.stack(masks), [th, tw], tokens


def main():
    args = sys.argv[1:]
    dhd = 36
    if "--dynamic-hd" in args:
        k = args.index("--dynamic-hd")
        dhd = int(args[k + 1])
        del args[k:k + 2]
    out, images = args[0], args[1:]
    results = [preprocess(p, dhd) for p in images]
    c = max(r[0].shape[0] for r in results)
    px = np.zeros((len(results), c, 3, S, S), np.float32)
    mk = np.ones((len(results), c, 32, 32), np.float32)
    for i, r in enumerate(results):
        px[i, :r[0].shape[0]] = r[0]
        mk[i, :r[1].shape[0]] = r[1]
    java_px = np.load(f"{out}/pixel_values.npy")
    java_mk = np.load(f"{out}/image_attention_mask.npy")
    java_sz = np.load(f"{out}/image_sizes.npy")
    java_tk = json.load(open(f"{out}/num_img_tokens.json"))
    print("shapes", java_px.shape, px.shape)
    glob = np.abs(java_px[:, 0] - px[:, 0])
    hd = np.abs(java_px[:, 1:] - px[:, 1:])
    print(f"global view: max {glob.max():.6f} mean {glob.mean():.7f}")
    print(f"HD crops:    max {hd.max():.6f} mean {hd.mean():.7f} exact {np.array_equal(java_px[:, 1:], px[:, 1:])}")
    print("masks equal", np.array_equal(java_mk, mk))
    print("image_sizes", java_sz.tolist(), [r[2] for r in results])
    print("num_img_tokens", java_tk, [r[3] for r in results])


if __name__ == "__main__":
    main()
