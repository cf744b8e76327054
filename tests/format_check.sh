#!/usr/bin/env bash
# Checks that C++ sources are as clang-format (with the repository's
# .clang-format) would write them.
#
#   tests/format_check.sh [--stat] [FILE...]
#
# Without FILEs: every tracked .cpp and .hpp (other FILEs are passed over,
# so `git diff --name-only main` can be handed over). Prints the diff
# clang-format would apply (with --stat: only a line per file and the total
# of changed lines) and exits 1 if any file differs, 0 if none, 77 (ctest's
# "skipped") without clang-format. CLANG_FORMAT names another binary.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
clang_format=${CLANG_FORMAT:-clang-format}
if ! command -v "$clang_format" >/dev/null; then
  echo "format_check: $clang_format not found (Debian: apt-get install clang-format)" >&2
  exit 77
fi

stat=0
if [[ ${1:-} == --stat ]]; then
  stat=1
  shift
fi
if (($# > 0)); then
  files=()
  for f in "$@"; do
    case $f in *.cpp | *.hpp) files+=("$f") ;; esac
  done
else
  mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
fi

formatted=$(mktemp)
trap 'rm -f "$formatted"' EXIT
changed_files=0
changed_lines=0
for f in "${files[@]}"; do
  "$clang_format" --style=file --assume-filename="$f" <"$f" >"$formatted"
  if cmp -s "$f" "$formatted"; then
    continue
  fi
  # Lines of the file that the reformat would change.
  n=$(diff -U0 "$f" "$formatted" | tail -n +3 | grep -c '^-' || true)
  changed_files=$((changed_files + 1))
  changed_lines=$((changed_lines + n))
  if ((stat)); then
    printf '%6d %s\n' "$n" "$f"
  else
    diff -u --label "$f" --label "$f (clang-format)" "$f" "$formatted" || true
  fi
done

if ((changed_files > 0)); then
  echo "format_check: $changed_files of ${#files[@]} files differ from" \
    "clang-format, $changed_lines lines would change" >&2
  exit 1
fi
echo "format_check: ${#files[@]} files as clang-format writes them" >&2
