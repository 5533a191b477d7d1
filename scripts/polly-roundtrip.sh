#!/usr/bin/env bash
# The JSCoP round trip with real Polly (Debian's clang-19 + libpolly-19-dev),
# `make test-polly` (docs/jscop.md):
#
#  1. polyc emits the PolyBench program of each kernel (--emit program);
#  2. clang-19 compiles it with Polly and exports its SCoPs (-polly-export);
#  3. `polyc jscop --config Configs/pluto.json` schedules every exported JSCoP;
#  4. clang-19 re-imports them (-polly-import, -polly-optimizer=none), links and
#     runs the program; its array dump must equal the original's (clang-19 -O3
#     without Polly).
#
# Also `polyc K.loop --emit jscop` in place of Polly's export, for the kernels
# whose Polly SCoP is polyc's own (EMITTED).
#
# Then every JSCoP of jscop-polly19/ (Polly 19's exports of PolyBench/C 4.2.1
# itself) is scheduled by polyc and imported into the program polyc emits for
# the same kernel, in place of that program's own SCoP, when the two SCoPs
# have the same statements (Polly matches them by position).
#
# Last, the time of the program compiled with Polly's own schedule
# (-polly-optimizer=isl, Polly's default) against polyc's schedule imported
# into Polly, for gemm, 2mm, jacobi-2d and seidel-2d.
#
# Usage: scripts/polly-roundtrip.sh [POLYC] [JSCOP_DIR]
# Exit status 0 when every round trip gave the original's output.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
POLYC="${1:-$ROOT/.build/debug/polyc}"
JSCOP_DIR="${2:-$ROOT/../shared/jscop-polly19}"
CLANG="${CLANG:-clang-19}"
STRATEGY="$ROOT/Configs/pluto.json"
KERNELS="gemm 2mm jacobi-2d seidel-2d covariance lu"
EMITTED="gemm 2mm atax mvt syrk"
TIMED="gemm:LARGE 2mm:LARGE jacobi-2d:LARGE seidel-2d:MEDIUM"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/polly-roundtrip.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

POLLY=(-O3 -fno-discard-value-names -mllvm -polly -mllvm -polly-position=early
       -mllvm -polly-process-unprofitable -mllvm -polly-use-llvm-names)
FIXED=("${POLLY[@]}" -mllvm -polly-optimizer=none)

failures=0
rows=()

die() { echo "polly-roundtrip: $*" >&2; exit 2; }
command -v "$CLANG" >/dev/null || die "$CLANG not found (apt-get install clang-19 libpolly-19-dev)"
[ -x "$POLYC" ] || die "polyc not found at $POLYC (swift build first)"

# export DIR SRC CFLAGS...: Polly's JSCoP files of SRC into DIR.
export_scops() {
  local dir="$1" src="$2"; shift 2
  mkdir -p "$dir"
  "$CLANG" "${FIXED[@]}" "$@" -mllvm -polly-export -mllvm -polly-import-jscop-dir="$dir" -c "$src" -o /dev/null 2>"$dir.log"
}

# schedule IN_DIR OUT_DIR: polyc jscop on every file; a file polyc refuses is
# copied unchanged (Polly needs a file for every SCoP). Prints "n/m" scheduled.
schedule_scops() {
  local in="$1" out="$2" n=0 m=0 f
  mkdir -p "$out"
  for f in "$in"/*.jscop; do
    [ -e "$f" ] || continue
    m=$((m + 1))
    if "$POLYC" jscop "$f" --config "$STRATEGY" -o "$out/$(basename "$f")" 2>>"$out.log"; then
      n=$((n + 1))
    else
      cp "$f" "$out/"
    fi
  done
  echo "$n/$m"
}

# import DIR SRC EXE CFLAGS...: compile SRC with the JSCoP files of DIR.
import_build() {
  local dir="$1" src="$2" exe="$3"; shift 3
  "$CLANG" "${FIXED[@]}" "$@" -mllvm -polly-import -mllvm -polly-import-jscop-dir="$dir" "$src" -o "$exe" -lm 2>"$exe.log" \
    && ! grep -q "malformed\|could not be read\|changes the dependences" "$exe.log"
}

reference_build() {
  local src="$1" exe="$2"; shift 2
  "$CLANG" -O3 "$@" "$src" -o "$exe" -lm 2>"$exe.log"
}

same_output() {
  local ref="$1" exe="$2"
  "$ref" 2>"$ref.dump" >/dev/null && "$exe" 2>"$exe.dump" >/dev/null && cmp -s "$ref.dump" "$exe.dump" && [ -s "$ref.dump" ]
}

row() { rows+=("$(printf '| %-26s | %-8s | %-9s | %-8s | %-12s | %s |' "$@")"); }

# 1. polyc's programs: export, schedule, import, run, compare.
for k in $KERNELS; do
  d="$WORK/$k"; mkdir -p "$d"
  src="$d/$k.c"
  if ! "$POLYC" "$ROOT/Kernels/polybench/$k.loop" --emit program --dataset SMALL -o "$src" 2>"$d/emit.log"; then
    row "$k" "no" "-" "-" "-" "polyc --emit program failed"; failures=$((failures + 1)); continue
  fi
  export_scops "$d/exported" "$src" -DPOLYBENCH_DUMP_ARRAYS
  count=$(ls "$d/exported"/kernel_*.jscop 2>/dev/null | wc -l)
  [ "$count" -gt 0 ] || { row "$k" "no" "-" "-" "-" "Polly found no SCoP in kernel_$k"; failures=$((failures + 1)); continue; }
  scheduled=$(schedule_scops "$d/exported" "$d/scheduled")
  reference_build "$src" "$d/ref" -DPOLYBENCH_DUMP_ARRAYS
  if import_build "$d/scheduled" "$src" "$d/imported" -DPOLYBENCH_DUMP_ARRAYS; then
    if same_output "$d/ref" "$d/imported"; then
      row "$k" "yes" "$scheduled" "yes" "yes" ""
    else
      row "$k" "yes" "$scheduled" "yes" "NO" "dump differs"; failures=$((failures + 1))
    fi
  else
    row "$k" "yes" "$scheduled" "NO" "-" "$(grep -m1 -v '^Reading\|^$' "$d/imported.log" | cut -c1-60)"; failures=$((failures + 1))
  fi
done

# 1b. --emit jscop: polyc's own SCoP of the kernel in place of Polly's export
#     (kernels whose Polly SCoP is polyc's: docs/jscop.md).
for k in $EMITTED; do
  d="$WORK/emit-$k"; mkdir -p "$d"
  src="$d/$k.c"
  "$POLYC" "$ROOT/Kernels/polybench/$k.loop" --emit program --dataset SMALL -o "$src" 2>/dev/null || continue
  export_scops "$d/exported" "$src" -DPOLYBENCH_DUMP_ARRAYS
  cp -r "$d/exported" "$d/emitted"
  target=$(ls "$d/emitted"/kernel_*.jscop 2>/dev/null | head -1)
  if [ -z "$target" ] || ! "$POLYC" "$ROOT/Kernels/polybench/$k.loop" --config "$STRATEGY" --emit jscop -o "$target" 2>"$d/emit.log"; then
    row "emit-jscop/$k" "yes" "NO" "-" "-" "polyc --emit jscop failed"; failures=$((failures + 1)); continue
  fi
  reference_build "$src" "$d/ref" -DPOLYBENCH_DUMP_ARRAYS
  if import_build "$d/emitted" "$src" "$d/imported" -DPOLYBENCH_DUMP_ARRAYS && same_output "$d/ref" "$d/imported"; then
    row "emit-jscop/$k" "yes" "1/1" "yes" "yes" "polyc --emit jscop as $(basename "$target")"
  else
    row "emit-jscop/$k" "yes" "1/1" "NO" "-" "$(grep -m1 -v '^Reading\|^$' "$d/imported.log" | cut -c1-60)"; failures=$((failures + 1))
  fi
done

# 2. jscop-polly19: polyc schedules Polly 19's export of PolyBench/C itself;
#    the result replaces the SCoP of polyc's program when the statements match.
if [ -d "$JSCOP_DIR" ]; then
  for kd in "$JSCOP_DIR"/*/; do
    k="$(basename "$kd")"
    d="$WORK/p19-$k"; mkdir -p "$d"
    src="$d/$k.c"
    "$POLYC" "$ROOT/Kernels/polybench/$k.loop" --emit program --dataset SMALL -o "$src" 2>/dev/null || { row "p19/$k" "-" "-" "-" "-" "polyc --emit program failed"; continue; }
    export_scops "$d/exported" "$src" -DPOLYBENCH_DUMP_ARRAYS
    scheduled=$(schedule_scops "$kd" "$d/p19")
    note="$(python3 "$ROOT/scripts/jscop-transplant.py" "$d/p19" "$d/exported" "$d/import" 2>&1)"
    status=$?
    if [ $status -ne 0 ]; then
      row "p19/$k" "yes" "$scheduled" "-" "-" "$note"; continue
    fi
    reference_build "$src" "$d/ref" -DPOLYBENCH_DUMP_ARRAYS
    if import_build "$d/import" "$src" "$d/imported" -DPOLYBENCH_DUMP_ARRAYS; then
      if same_output "$d/ref" "$d/imported"; then
        row "p19/$k" "yes" "$scheduled" "yes" "yes" "$note"
      else
        row "p19/$k" "yes" "$scheduled" "yes" "NO" "$note"; failures=$((failures + 1))
      fi
    elif ! import_build "$d/exported" "$src" "$d/own" -DPOLYBENCH_DUMP_ARRAYS; then
      row "p19/$k" "yes" "$scheduled" "no" "-" "Polly cannot re-import its own unmodified export either: $(grep -m1 -v '^Reading\|^$' "$d/own.log" | cut -c1-40)"
    else
      row "p19/$k" "yes" "$scheduled" "NO" "-" "$note; $(grep -m1 -v '^Reading\|^$' "$d/imported.log" | cut -c1-50)"
      failures=$((failures + 1))
    fi
  done
fi

echo "| kernel                     | exported | scheduled | imported | output equal | note |"
echo "|----------------------------|----------|-----------|----------|--------------|------|"
printf '%s\n' "${rows[@]}"

# 3. Time: Polly's own schedule against polyc's schedule imported into Polly.
seconds() { "$1" 2>/dev/null | tail -1; }
best_of() { local exe="$1" best="" t i; for i in 1 2 3; do t=$(seconds "$exe"); if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi; done; echo "$best"; }
echo
echo "| kernel | data set | clang-19 -O3 (s) | Polly's schedule (s) | polyc's schedule in Polly (s) | polyc / Polly |"
echo "|--------|----------|------------------|----------------------|-------------------------------|---------------|"
for kv in $TIMED; do
  k="${kv%%:*}"; ds="${kv##*:}"
  d="$WORK/time-$k"; mkdir -p "$d"
  src="$d/$k.c"
  "$POLYC" "$ROOT/Kernels/polybench/$k.loop" --emit program --dataset "$ds" -o "$src" 2>/dev/null || continue
  flags=(-DPOLYBENCH_TIME)
  export_scops "$d/exported" "$src" "${flags[@]}"
  schedule_scops "$d/exported" "$d/scheduled" >/dev/null
  reference_build "$src" "$d/plain" "${flags[@]}"
  "$CLANG" "${POLLY[@]}" "${flags[@]}" "$src" -o "$d/polly" -lm 2>/dev/null
  import_build "$d/scheduled" "$src" "$d/imported" "${flags[@]}" || { echo "| $k | $ds | - | - | import failed | - |"; continue; }
  tp=$(best_of "$d/plain"); tl=$(best_of "$d/polly"); ti=$(best_of "$d/imported")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$k" "$ds" "$tp" "$tl" "$ti" "$(awk "BEGIN{printf \"%.2fx\", $ti / $tl}")"
done

echo
if [ "$failures" -eq 0 ]; then echo "polly-roundtrip: all round trips gave the original's output"; else echo "polly-roundtrip: $failures failure(s)"; fi
[ "$failures" -eq 0 ]
