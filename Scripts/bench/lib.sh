# Sourced by the benchmarks in this folder. Not a benchmark itself.
#
# Every benchmark runs on fake sysfs trees (Scripts/make-fake-tree.py) built in a temporary
# directory on tmpfs, never on /sys. Environment:
#   PCIMMIO_BIN        the pcimmio binary to measure (default: what Scripts/build prints)
#   BENCH_RESULTS      file that report.py appends one JSON line per result to (run-all sets it)
#   BENCH_JSON_DIR     if set, hyperfine's --export-json files are copied there
#   BENCH_VERBOSE=1    show hyperfine's own output instead of only the result table
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$bench_dir/../.." && pwd)"

# bench_setup NAME: tools, binary, and a work directory ($work) removed on exit.
bench_setup() {
    "$repo/Scripts/install-deps" bench >&2
    pcimmio="${PCIMMIO_BIN:-$("$repo/Scripts/build")}"
    [ -x "$pcimmio" ] || { echo "bench: no pcimmio binary at $pcimmio" >&2; exit 1; }
    local base=/dev/shm
    if [ ! -d "$base" ] || [ ! -w "$base" ]; then
        base="${TMPDIR:-/tmp}"
        echo "bench: /dev/shm is not usable, building trees in $base (file creation may be slow)" >&2
    fi
    work="$(mktemp -d "$base/pcimmio-bench-$1.XXXXXX")"
    trap 'rm -rf -- "$work"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    bench_name="$1"
}

# q ARG...: one command line that hyperfine -N splits back into exactly these arguments.
q() { printf '%q ' "$@"; }

# make_tree DESCRIPTION.toml|--generate N  OUTDIR
make_tree() {
    local out="${*: -1}"
    python3 "$repo/Scripts/make-fake-tree.py" "$@" >/dev/null
    [ -d "$out/devices" ] || { echo "bench: make-fake-tree.py made no $out/devices" >&2; exit 1; }
}

# measure: runs the registered commands under hyperfine -N and leaves one --export-json file
# per (round, command) in $work/json/. Register commands first:
#   cmd_names+=(NAME) cmd_lines+=("$(q prog args...)") cmd_runs+=(RUNS) cmd_warmups+=(WARMUP)
# then call `measure ROUNDS [extra hyperfine options]`. Rounds alternate the command order
# (forward, backward, ...), so a slow change in background load hits all commands alike.
cmd_names=() cmd_lines=() cmd_runs=() cmd_warmups=()
measure() {
    local rounds="$1"; shift
    local count=${#cmd_names[@]} round position i log
    mkdir -p "$work/json"
    log="$work/hyperfine.log"
    for ((round = 1; round <= rounds; round++)); do
        for ((position = 0; position < count; position++)); do
            if ((round % 2)); then i=$position; else i=$((count - 1 - position)); fi
            printf '  %s: round %d/%d, %s, runs: %d\n' "$bench_name" "$round" "$rounds" "${cmd_names[i]}" \
                "${cmd_runs[i]}" >&2
            local hf=(hyperfine -N --style basic --warmup "${cmd_warmups[i]}" --runs "${cmd_runs[i]}"
                      --export-json "$work/json/r$round-c$i.json" "$@" -n "${cmd_names[i]}" "${cmd_lines[i]}")
            if [ "${BENCH_VERBOSE:-0}" = 1 ]; then
                "${hf[@]}" >&2
            elif ! "${hf[@]}" >"$log" 2>&1; then
                cat "$log" >&2
                echo "bench: hyperfine failed for: ${cmd_lines[i]}" >&2
                exit 1
            fi
        done
    done
    if [ -n "${BENCH_JSON_DIR:-}" ]; then
        mkdir -p "$BENCH_JSON_DIR"
        for file in "$work"/json/*.json; do cp "$file" "$BENCH_JSON_DIR/$bench_name-$(basename "$file")"; done
    fi
}

# check DESCRIPTION COMMAND...: the command must succeed (its stdout is captured in $checked).
check() {
    local what="$1"; shift
    if ! checked="$("$@" 2>"$work/check.err")"; then
        cat "$work/check.err" >&2
        echo "bench: $what: command failed: $*" >&2
        exit 1
    fi
}

fail_check() { echo "bench: $bench_name: sanity check failed: $*" >&2; exit 1; }

report() { python3 "$bench_dir/report.py" "$@"; }

# make_big_tree: one device 0000:00:03.0 whose BAR0 is a 64 MiB prefetchable mem64 BAR,
# its resource file filled with random bytes (so it is real memory, not a sparse hole).
# Sets $tree, $file and $bar_bytes.
make_big_tree() {
    bar_bytes=$((64 << 20))
    cat >"$work/big.toml" <<TOML
[[device]]
slot = "0000:00:03.0"
vendor = 0x1234
device = 0x11e8
class = 0x00ff00
  [[device.bar]]
  index = 0
  kind = "mem64"
  address = 0x800000000
  size = $(printf '0x%x' "$bar_bytes")
  prefetchable = true
TOML
    tree="$work/tree"
    make_tree "$work/big.toml" "$tree"
    file="$(readlink -f "$tree/devices/0000:00:03.0/resource0")"
    head -c "$bar_bytes" /dev/urandom | dd of="$file" bs=1M conv=notrunc status=none
    [ "$(stat -c %s "$file")" -eq "$bar_bytes" ] || fail_check "$file is not $bar_bytes bytes"
    [ "$(($(stat -c %b "$file") * $(stat -c %B "$file")))" -ge "$bar_bytes" ] || fail_check "$file is still sparse"
}
