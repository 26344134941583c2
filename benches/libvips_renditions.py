#!/usr/bin/env python3
"""libvips baseline for Kriya's photo rendition set.

For every *.jpg / *.jpeg in DIR (sorted by name) this makes the rendition set in the
fastest way libvips offers, all in memory:

  1. decode once with shrink-on-load to width 1200: ``Image.thumbnail(path, 1200,
     height=10_000_000, size="down")`` (aspect ratio kept, never upscaled, EXIF
     orientation applied), then ``copy_memory()`` so the decode really runs once
     (libvips images are lazy: without it every later use would decode the file again);
  2. derive widths 480 and 160 from the 1200 image with ``thumbnail_image`` (Lanczos3),
     each also kept in memory so that each resize runs once;
  3. encode each of the three widths as JPEG Q=80 and lossy WebP Q=80, all metadata
     stripped, with ``write_to_buffer`` (libvips' other encoder settings left at their
     defaults: JPEG 4:2:0 chroma, no optimize_coding; WebP effort 4).
     libvips before 8.14.2 (Debian 12 ships 8.14.1) ignores `strip` in webpsave and
     writes a small EXIF chunk it makes itself (~186 bytes: resolution, orientation)
     into each WebP; the script says so when it runs on such a version.

Timing covers steps 1-3 for one photo (decode + 3 resizes + 6 encodes), measured with
time.perf_counter. One warm-up pass over all photos comes first; then --repeat rounds
(default 3) each process every photo once. Per photo it prints the best and median time
and the total size of the six outputs; then the mean of the per-photo medians, and the
process's peak RSS (ru_maxrss). It also prints how many cores this process and all other
processes kept busy during the timed runs (from /proc/stat), to expose a loaded machine.
libvips' operation cache is turned off, so a repeat can't reuse the previous run's
results: each run does the full work, as a fresh upload would.

libvips threads each image pipeline by itself; the default concurrency is the number of
cores (or VIPS_CONCURRENCY). --single-thread sets it to 1 for a second figure. Photos
are processed one after another in both modes.

Install (Debian 12 / bookworm, Python 3.11):

    apt-get update && apt-get install -y --no-install-recommends libvips42
    pip install -r benches/requirements-libvips.txt      # pyvips, cffi ABI mode

Run:

    python3 benches/libvips_renditions.py DIR [--repeat N] [--single-thread]
"""

import argparse
import importlib.metadata
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import pyvips

WIDTHS = (1200, 480, 160)
QUALITY = 80
NO_HEIGHT_LIMIT = 10_000_000  # VIPS_MAX_COORD: makes width the only bound


def encoder_options():
    """Metadata stripping: `strip` up to libvips 8.14, `keep` from 8.15 on."""
    if (pyvips.version(0), pyvips.version(1)) >= (8, 15):
        return {"Q": QUALITY, "keep": "none"}
    return {"Q": QUALITY, "strip": True}


def make_renditions(path, options):
    """Decode once, resize three ways, encode six times; returns {(width, ext): bytes}."""
    big = pyvips.Image.thumbnail(path, WIDTHS[0], height=NO_HEIGHT_LIMIT, size="down")
    images = {WIDTHS[0]: big.copy_memory()}
    for width in WIDTHS[1:]:
        small = images[WIDTHS[0]].thumbnail_image(width, height=NO_HEIGHT_LIMIT, size="down")
        images[width] = small.copy_memory()
    return {
        (width, ext): image.write_to_buffer(ext, **options)
        for width, image in images.items()
        for ext in (".jpg", ".webp")
    }


def cpu_seconds():
    """(busy CPU seconds of the whole machine, or None off Linux; CPU seconds of this process)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    try:
        with open("/proc/stat") as stat:  # cpu user nice system idle iowait irq softirq steal
            ticks = [int(n) for n in stat.readline().split()[1:9]]
        machine = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        machine = None
    return machine, usage.ru_utime + usage.ru_stime


def timed(path, options):
    start = time.perf_counter()
    outputs = make_renditions(path, options)
    return (time.perf_counter() - start) * 1000, outputs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path, help="folder of *.jpg / *.jpeg photos")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per photo (default 3)")
    parser.add_argument("--single-thread", action="store_true", help="libvips concurrency 1")
    args = parser.parse_args()

    if not args.dir.is_dir():
        sys.exit(f"not a folder: {args.dir}")
    photos = sorted(p for p in args.dir.iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))
    if not photos or args.repeat < 1:
        sys.exit(f"need at least one *.jpg / *.jpeg in {args.dir} and --repeat >= 1")

    pyvips.cache_set_max(0)
    if args.single_thread:
        pyvips.concurrency_set(1)
    version = tuple(pyvips.version(i) for i in range(3))
    libvips = ".".join(map(str, version))
    options = encoder_options()
    mode = "API" if pyvips.API_mode else "ABI"
    print(f"libvips {libvips}, pyvips {importlib.metadata.version('pyvips')} (cffi {mode} mode), "
          f"concurrency {pyvips.concurrency_get()} "
          f"(VIPS_CONCURRENCY={os.environ.get('VIPS_CONCURRENCY', 'unset')}), "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"widths {WIDTHS}, JPEG + WebP, options {options}; "
          f"1 warm-up pass, then {args.repeat} timed runs per photo")
    if version < (8, 14, 2):
        print("note: this libvips ignores strip in webpsave: each WebP has a ~186-byte EXIF chunk")

    outputs = {}
    for path in photos:  # warm-up: page cache, libvips and codec initialisation
        _, outputs[path] = timed(str(path), options)

    times = {path: [] for path in photos}
    start, (machine0, own0) = time.perf_counter(), cpu_seconds()
    for _ in range(args.repeat):  # round-robin, so a burst of load hits every photo alike
        for path in photos:
            times[path].append(timed(str(path), options)[0])
    wall, (machine1, own1) = time.perf_counter() - start, cpu_seconds()

    print(f"\n{'photo':<24} {'in':>9} {'1200 out':>9} {'best ms':>8} {'median ms':>10} "
          f"{'6 outputs B':>12}")
    medians = []
    for path in photos:
        source = pyvips.Image.new_from_file(str(path))
        big = pyvips.Image.new_from_buffer(outputs[path][(WIDTHS[0], ".jpg")], "")
        medians.append(statistics.median(times[path]))
        total = sum(len(b) for b in outputs[path].values())
        print(f"{path.name:<24} {source.width:>4}x{source.height:<4} {big.width:>4}x{big.height:<4} "
              f"{min(times[path]):>8.1f} {medians[-1]:>10.1f} {total:>12,}")

    cpu = f"\nCPU during the timed runs: this process {(own1 - own0) / wall:.2f} cores"
    if machine0 is not None:
        others = max(0.0, (machine1 - machine0) - (own1 - own0)) / wall
        cpu += f", other processes {others:.2f} (well above 0 means a loaded machine)"
    print(cpu)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"libvips {libvips}: {len(photos)} photos, mean {statistics.mean(medians):.1f} ms/photo "
          f"(median of {args.repeat} runs each), concurrency {pyvips.concurrency_get()}, "
          f"peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
