#!/bin/sh
# Self-check for humans: build every fixture in Tests/Fixtures/trees, run the
# real lspci over it, and round-trip it through capture-sysfs.sh.  Fails
# loudly on the first problem.  The real assertions live in the Swift tests.
#
# Usage: Scripts/check-fake-trees.sh [FIXTURE.toml...]
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
[ $# -gt 0 ] || set -- "$ROOT"/Tests/Fixtures/trees/*.toml

# tmpfs if there is one: trees are thousands of tiny files, and some disks
# (this project's CI VM among them) take ~0.5 ms per file creation.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then TMPBASE=/dev/shm; else TMPBASE=${TMPDIR:-/tmp}; fi
WORK=$(mktemp -d "$TMPBASE/check-fake-trees.XXXXXX")
# set -e exits quietly; say so.
trap 'rc=$?; rm -rf "$WORK"; [ $rc = 0 ] || echo "check-fake-trees: FAILED (exit $rc)" >&2' EXIT
trap 'exit 130' INT TERM

fail() { echo "check-fake-trees: FAIL: $*" >&2; exit 1; }

# lspci over TREE with ARGS; stdout to OUT; anything on stderr except the
# harmless libkmod complaint (no modules.dep here) is an error.
run_lspci() {
    tree=$1 out=$2; shift 2
    lspci -A linux-sysfs -O sysfs.path="$tree" "$@" > "$out" 2> "$out.err" ||
        { cat "$out.err" >&2; fail "lspci $* exited non-zero on $tree"; }
    if grep -v 'Unable to load libkmod resources' "$out.err" | grep -q .; then
        cat "$out.err" >&2
        fail "lspci $* complained on $tree"
    fi
}

for toml in "$@"; do
    name=$(basename "$toml" .toml)
    tree="$WORK/$name"
    python3 "$HERE/make-fake-tree.py" "$toml" "$tree" || fail "make-fake-tree.py $toml"

    run_lspci "$tree" "$WORK/$name.vmm" -vmm -nn -D
    run_lspci "$tree" "$WORK/$name.v" -v -D
    want=$(grep -c '^slot *=' "$toml")
    got=$(grep -c '^Slot:' "$WORK/$name.vmm")
    [ "$want" = "$got" ] || fail "$name: $want devices described, lspci shows $got"
    want=$(grep -c '^driver *=' "$toml" || :)  # grep -c exits 1 on zero matches
    got=$(grep -c 'Kernel driver in use:' "$WORK/$name.v" || :)
    [ "$want" = "$got" ] || fail "$name: $want drivers described, lspci shows $got"

    # Every slot must be selectable on its own.
    for slot in $(sed -n 's/^Slot:[[:space:]]*//p' "$WORK/$name.vmm"); do
        run_lspci "$tree" "$WORK/one" -D -s "$slot"
        [ "$(wc -l < "$WORK/one")" = 1 ] || fail "$name: lspci -s $slot"
    done

    # A capture of the fake tree must look the same to lspci.
    sh "$HERE/capture-sysfs.sh" "$WORK/$name.cap" "$tree" 2>/dev/null || fail "capture-sysfs.sh $tree"
    run_lspci "$WORK/$name.cap" "$WORK/$name.cap.v" -v -D
    cmp -s "$WORK/$name.v" "$WORK/$name.cap.v" || fail "$name: capture differs from the original"

    echo "ok  $name ($(grep -c '^Slot:' "$WORK/$name.vmm") devices)"
done

python3 "$HERE/make-fake-tree.py" --generate 300 "$WORK/generated" || fail "--generate"
run_lspci "$WORK/generated" "$WORK/generated.vmm" -vmm -nn -D
[ "$(grep -c '^Slot:' "$WORK/generated.vmm")" = 300 ] || fail "generated tree: wrong device count"
echo "ok  --generate 300"
