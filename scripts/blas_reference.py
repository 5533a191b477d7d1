#!/usr/bin/env python3
"""OpenBLAS (through numpy) timings of gemm, 2mm and 3mm at PolyBench's sizes.

The reference for issue 14's "gemm near the BLAS limit": run it in the same
window as `polyc bench --strategies cpu --kernels gemm,2mm,3mm` and compare
GFLOP/s. Threads come from OPENBLAS_NUM_THREADS (set it to the bench's
--threads). Prints one line per kernel: median seconds and GFLOP/s.

With --bench DIR (a `polyc bench --out DIR` folder of the same data set), the
timed binaries DIR/src/<kernel>/<variant>.time of each --variant run
round-robin with the numpy call, so machine noise hits all alike, and the
line adds their medians and the ratio of GFLOP/s to OpenBLAS's.

  OPENBLAS_NUM_THREADS=2 python3 scripts/blas_reference.py [--dataset LARGE] [--repetitions 7]
      [--bench bench-results --variant cpu --threads 2]
"""
import argparse
import os
import statistics
import subprocess
import time

import numpy as np

SIZES = {
    "MEDIUM": {"gemm": (200, 220, 240), "2mm": (180, 190, 210, 220), "3mm": (180, 190, 200, 210, 220)},
    "LARGE": {"gemm": (1000, 1100, 1200), "2mm": (800, 900, 1100, 1200), "3mm": (800, 900, 1000, 1100, 1200)},
    "EXTRALARGE": {"gemm": (2000, 2300, 2600), "2mm": (1600, 1800, 2200, 2400), "3mm": (1600, 1800, 2000, 2200, 2400)},
}


def gemm(ni, nj, nk):
    rng = np.random.default_rng(0)
    A, B, C = rng.random((ni, nk)), rng.random((nk, nj)), rng.random((ni, nj))
    return (lambda: 1.5 * (A @ B) + 1.2 * C), 2.0 * ni * nj * nk


def two_mm(ni, nj, nk, nl):
    rng = np.random.default_rng(0)
    A, B, C, D = rng.random((ni, nk)), rng.random((nk, nj)), rng.random((nj, nl)), rng.random((ni, nl))
    return (lambda: (1.5 * (A @ B)) @ C + 1.2 * D), 2.0 * (ni * nj * nk + ni * nl * nj)


def three_mm(ni, nj, nk, nl, nm):
    rng = np.random.default_rng(0)
    A, B, C, D = rng.random((ni, nk)), rng.random((nk, nj)), rng.random((nj, nm)), rng.random((nm, nl))
    return (lambda: (A @ B) @ (C @ D)), 2.0 * (ni * nj * nk + nj * nl * nm + ni * nl * nj)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="LARGE", choices=sorted(SIZES))
    p.add_argument("--repetitions", type=int, default=7)
    p.add_argument("--bench", help="a polyc bench --out folder whose timed binaries run round-robin with numpy")
    p.add_argument("--variant", action="append", help="variant of --bench to time (repeatable; default: cpu)")
    p.add_argument("--threads", default="2", help="OMP_NUM_THREADS of the --bench binaries")
    args = p.parse_args()
    variants = (args.variant or ["cpu"]) if args.bench else []
    env = dict(os.environ, OMP_NUM_THREADS=args.threads, OMP_WAIT_POLICY="PASSIVE")
    makers = {"gemm": gemm, "2mm": two_mm, "3mm": three_mm}
    for name, make in makers.items():
        run, flops = make(*SIZES[args.dataset][name])
        run()
        times = {v: [] for v in variants + ["openblas"]}
        for _ in range(args.repetitions):
            for v in variants:
                out = subprocess.run([f"{args.bench}/src/{name}/{v}.time"], env=env, capture_output=True, text=True, check=True)
                times[v].append(float(out.stdout.split()[0]))
            t = time.perf_counter()
            run()
            times["openblas"].append(time.perf_counter() - t)
            # OpenBLAS's worker threads keep spinning after a call (2^28 cycles by
            # default, OPENBLAS_THREAD_TIMEOUT): a binary started at once shares a
            # core with them and runs up to twice as slow. Let them go to sleep.
            time.sleep(0.5)
        blas = statistics.median(times["openblas"])
        cells = [f"{name:5s} openblas {blas:.4f} s {flops / blas / 1e9:6.2f} GFLOP/s"]
        for v in variants:
            m = statistics.median(times[v])
            cells.append(f"{v} {m:.4f} s {flops / m / 1e9:6.2f} GFLOP/s ({blas / m:.2f} of openblas)")
        print(" | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
