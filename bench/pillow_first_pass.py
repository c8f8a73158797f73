"""Pillow peer for bench/data.ts: what a torchvision ImageFolder DataLoader with 2 workers does per picture.

Open, convert to RGB, bilinear resize to the target size (no JPEG draft mode), in a Pool of N processes.
Reads the file list (one path a line) from stdin; prints one JSON line with the images per second.
"""
import json
import sys
import time
from multiprocessing import Pool

from PIL import Image

SIZE = 150


def decode(path):
    try:
        with Image.open(path) as img:
            return len(img.convert("RGB").resize((SIZE, SIZE), Image.BILINEAR).tobytes())
    except Exception:
        return 0


def main():
    global SIZE
    processes = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    SIZE = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    paths = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    with Pool(processes) as pool:
        pool.map(decode, paths[:8])  # workers started and modules imported before timing
        started = time.perf_counter()
        decoded = sum(1 for n in pool.imap_unordered(decode, paths, chunksize=16) if n > 0)
        seconds = time.perf_counter() - started
    print(json.dumps({"processes": processes, "images": len(paths), "decoded": decoded,
                      "seconds": round(seconds, 3), "imagesPerSecond": round(len(paths) / seconds)}))


if __name__ == "__main__":
    main()
