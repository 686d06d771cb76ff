#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets from the bundled files, so they need not be
# committed: fuzz/corpus/<target>/ (ignored by git). Run from anywhere; safe to run again
# (files are named by content hash, so existing entries are kept and duplicates skipped).
#
#   rules     every rule file under jurisdictions/ and tests/data/bad/rules/
#   scenario  every scenario under scenarios/ and tests/data/bad/scenarios/
#   pipeline  the same scenarios
#   expr      every expression written in a rule file (`expr`, `when`, `formula`, `from`,
#             `until`, `deadline` on one line), plus the seeds in fuzz/seeds/expr/
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob

out=fuzz/corpus
mkdir -p "$out"/{rules,scenario,pipeline,expr}

add() { # add TARGET FILE: copy under a content-hash name
  local target=$1 file=$2 sum
  sum=$(sha1sum "$file" | cut -c1-16)
  cp "$file" "$out/$target/$sum"
}

for f in jurisdictions/**/*.toml tests/data/bad/rules/*.toml; do
  add rules "$f"
done
for f in scenarios/**/*.toml tests/data/bad/scenarios/*.toml; do
  add scenario "$f"
  add pipeline "$f"
done

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# One-line basic strings of the expression fields, with the TOML escapes \" and \\ undone.
grep -rhoE '^[[:space:]]*(expr|when|formula|from|until|deadline)[[:space:]]*=[[:space:]]*"([^"\\]|\\.)*"' \
    jurisdictions |
  sed -E 's/^[^=]*=[[:space:]]*"//; s/"$//; s/\\"/"/g; s/\\\\/\\/g' |
  sort -u |
  while IFS= read -r line; do
    printf '%s' "$line" >"$tmp"
    add expr "$tmp"
  done
for f in fuzz/seeds/expr/*; do
  add expr "$f"
done

for t in rules scenario pipeline expr; do
  echo "fuzz/corpus/$t: $(find "$out/$t" -type f | wc -l) files"
done
