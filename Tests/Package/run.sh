#!/usr/bin/env bash
# The Debian package, as a user gets it: builds it with Scripts/package (or takes PCIMMIO_DEB),
# checks its file list, Depends and lintian, then unpacks it into an empty directory and runs
# the unpacked binary, man pages and bash completion there, with nothing of the source tree
# or .build/ on the path. Ends with one 'N passed, N failed' line; exit 1 if any failed.
#   Tests/Package/run.sh
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && sed 's/^/    /' <<<"$2"; }
# expect NAME ACTUAL EXPECTED
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected: $3"$'\n'"got:      $2"; fi; }

work="$(mktemp -d "${TMPDIR:-/tmp}/pcimmio-package-test.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT

echo "== building the package"
if [ -n "${PCIMMIO_DEB:-}" ]; then
    deb="$PCIMMIO_DEB"
else
    deb="$("$repo/Scripts/package" | tail -n 1)" || { echo "Scripts/package failed"; echo "0 passed, 1 failed"; exit 1; }
fi
[ -f "$deb" ] || { echo "no package at $deb"; echo "0 passed, 1 failed"; exit 1; }
echo "$deb"

# --- The package itself ----------------------------------------------------------------

root="$work/root"
mkdir -p "$root"
dpkg-deb -x "$deb" "$root"
binary="$root/usr/bin/pcimmio"
version="$(dpkg-deb -f "$deb" Version)"
expect "the file name carries the version and architecture" "$(basename "$deb")" \
    "pcimmio_${version}_$(dpkg --print-architecture).deb"

# One man page per command, from the binary's own command tree.
commands="$("$binary" --experimental-dump-help | python3 -c '
import json, sys
def walk(command, path):
    yield "-".join(path)
    for sub in command.get("subcommands") or []:
        if sub["commandName"] != "help" and sub.get("shouldDisplay", True):
            yield from walk(sub, path + [sub["commandName"]])
for name in walk(json.load(sys.stdin)["command"], ["pcimmio"]):
    print(name)')"
expected_files="$( {
    echo /usr/bin/pcimmio
    echo /usr/lib/pcimmio/pcimmio-import
    for name in $commands; do echo "/usr/share/man/man1/$name.1.gz"; done
    echo /usr/share/bash-completion/completions/pcimmio
    echo /usr/share/zsh/vendor-completions/_pcimmio
    echo /usr/share/fish/vendor_completions.d/pcimmio.fish
    for map in "$repo"/Maps/*.json; do echo "/usr/share/pcimmio/maps/$(basename "$map")"; done
    echo /usr/share/doc/pcimmio/copyright
    echo /usr/share/doc/pcimmio/changelog.gz
} | LC_ALL=C sort)"
actual_files="$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print substr($6, 2)}' | LC_ALL=C sort)"
expect "file list: the binary, a man page per command, completions, maps, copyright, changelog" \
    "$actual_files" "$expected_files"
expect "man pages: $(wc -w <<<"$commands") (pcimmio and every subcommand)" \
    "$(grep -c '^/usr/share/man/man1/' <<<"$actual_files")" "$(wc -w <<<"$commands")"
expect "files are root's, 0644 (the binary 0755)" \
    "$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $1, $2}' | sort -u | tr '\n' ';')" \
    "-rw-r--r-- root/root;-rwxr-xr-x root/root;"

# Depends names the package of every shared library the binary needs (as dpkg-shlibdeps does).
depends="$(dpkg-deb -f "$deb" Depends)"
case "$depends" in *"libpci3 (>= "*) pass "Depends names libpci3 with a version: $depends" ;;
                   *) fail "Depends names libpci3" "$depends" ;; esac
missing=""
for soname in $(objdump -p "$binary" "$root/usr/lib/pcimmio/pcimmio-import" | awk '$1 == "NEEDED" {print $2}' | sort -u); do
    owner="$(dpkg -S "*/$soname" 2>/dev/null | head -n 1 | cut -d: -f1)"
    [ -n "$owner" ] || { missing+="$soname (no package) "; continue; }
    case ", $depends" in *", $owner "*|*", $owner,"*|*", $owner") ;; *) missing+="$soname ($owner) " ;; esac
done
expect "Depends covers every NEEDED library of both binaries (pcimmio, pcimmio-import)" "$missing" ""

expect "the binary is stripped (no symbol table, no debug information)" \
    "$(objdump -h "$binary" | awk '$2 ~ /^\.(symtab|debug_)/ {print $2}' | tr '\n' ' ')" ""
expect "no run path in the binary (the loader looks only in the system's directories)" \
    "$(objdump -p "$binary" | awk '$1 == "RPATH" || $1 == "RUNPATH"')" ""
expect "copyright and changelog are in /usr/share/doc/pcimmio, the changelog gzip'd" \
    "$(gzip -dc "$root/usr/share/doc/pcimmio/changelog.gz" | head -n 1 | cut -d' ' -f1-2)" "pcimmio ($version)"

lintian_out="$(lintian --fail-on error "$deb" 2>"$work/lintian.err")"
lintian_status=$?
[ $lintian_status -eq 0 ] || lintian_out+=$'\n'"$(cat "$work/lintian.err")"
if [ $lintian_status -eq 0 ] && ! grep -q '^E:' <<<"$lintian_out"; then
    pass "lintian: no errors${lintian_out:+ (other tags: $(grep -c '^[WIP]:' <<<"$lintian_out"))}"
else
    fail "lintian: no errors" "$lintian_out"
fi
[ -n "$lintian_out" ] && sed 's/^/    lintian: /' <<<"$lintian_out"

# --- The unpacked binary, away from the source tree ------------------------------------

tree="$work/tree"
python3 "$repo/Scripts/make-fake-tree.py" "$repo/Tests/Fixtures/trees/edu.toml" "$tree" >/dev/null
resource="$(readlink -f "$tree/devices/0000:00:02.0/resource0")"
file_word() {  # file_word OFFSET: the 32-bit little-endian value at OFFSET of the edu BAR file
    python3 -c 'import sys; f = open(sys.argv[1], "rb"); f.seek(int(sys.argv[2], 0)); print("0x%08x" % int.from_bytes(f.read(4), "little"))' "$resource" "$1"
}
# A clean environment: no PCIMMIO_* variables, nothing of the repository on PATH.
run() { (cd "$work" && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$work" "$binary" "$@"); }

expect "--version prints the package's version" "$(run --version)" "$version"
expect "list on a fixture tree" "$(run --sysfs "$tree" list | cut -d' ' -f1)" "0000:00:02.0"
expect "peek reads the BAR file's bytes" "$(run --sysfs "$tree" peek 00:02.0 0 0x10 2>&1)" "$(file_word 0x10)"
expect "peek of a named register with the packaged maps (no --map, no PCIMMIO_MAPS)" \
    "$(run --sysfs "$tree" peek 1234:11e8 0 STATUS 2>&1)" "$(file_word 0x20)"
decoded="$(run --sysfs "$tree" peek 00:02.0 0 STATUS --decode 2>&1)"
case "$decoded" in *"STATUS @0x20"*"COMPUTING"*) pass "--decode names the fields from the packaged map" ;;
                   *) fail "--decode names the fields from the packaged map" "$decoded" ;; esac
imported="$(run map import "$repo/Tests/Fixtures/import/demo.svd" 2>&1)"
case "$imported" in *'"registers"'*) pass "map import runs the packaged pcimmio-import (from /usr/lib/pcimmio)" ;;
                    *) fail "map import runs the packaged pcimmio-import" "$imported" ;; esac
expect "map check passes on the packaged maps" \
    "$(run map check "$root"/usr/share/pcimmio/maps/*.json >/dev/null 2>&1; echo $?)" "0"

# --- Man pages -----------------------------------------------------------------------

for page in "$root"/usr/share/man/man1/*.1.gz; do
    name="$(basename "$page" .1.gz)"
    rendered="$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l "$page" 2>"$work/man.err")"
    if [ -s "$work/man.err" ]; then
        fail "man -l $name: no warnings" "$(cat "$work/man.err")"
    elif ! grep -q "^NAME" <<<"$rendered" || ! grep -q "^EXAMPLES" <<<"$rendered"; then
        fail "man -l $name: renders with NAME and EXAMPLES" "$rendered"
    else
        pass "man -l $name: renders, no warnings"
    fi
done
# The pages say what --help says: peek's first paragraph, whole.
peek_page="$(MANWIDTH=200 man -l "$root/usr/share/man/man1/pcimmio-peek.1.gz" 2>/dev/null | tr -s ' \n' '  ')"
case "$peek_page" in *'so v=$(pcimmio peek …) works in scripts.'*) pass "pcimmio-peek(1) carries peek's --help text" ;;
                     *) fail "pcimmio-peek(1) carries peek's --help text" "$peek_page" ;; esac

# --- Bash completion, loaded in a non-interactive bash -----------------------------------

complete_words() {  # complete_words WORD... : what bash completion offers for the last word
    (cd "$work" && env -i PATH="$root/usr/bin:/usr/bin:/bin" bash --norc --noprofile -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        _pcimmio pcimmio "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort | tr "\n" " "' \
        _ "$root/usr/share/bash-completion/completions/pcimmio" "$@")
}
expect "bash completion: 'pcimmio pe<TAB>' offers peek" "$(complete_words pcimmio pe)" "peek "
expect "bash completion: 'pcimmio dump … --format <TAB>' offers the formats" \
    "$(complete_words pcimmio dump 00:02.0 0 --format '')" "hex json raw "
expect "bash completion: 'pcimmio peek … -w <TAB>' offers the widths" \
    "$(complete_words pcimmio peek 00:02.0 0 0 -w '')" "16 32 64 8 "

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
