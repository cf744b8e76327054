# shellcheck shell=bash
# mvn_fetch POM OUTDIR LOG [MVN_ARGS...]: copies the runtime dependencies
# of POM (with MVN_ARGS, e.g. -Ddebezium.version=...) from Maven Central
# into OUTDIR, unless OUTDIR already holds the set for this very POM and
# these arguments (stamp: their sha256). Instances started at the same time
# share the cache: one fetches, the others wait for it. Sourced by
# bench/peers.sh and tests/interop/lib.sh.
mvn_fetch() {
  local pom=$1 out=$2 mlog=$3 sum
  shift 3
  sum=$({
    cat "$pom"
    if (($#)); then printf '%s\n' "$@"; fi
  } | sha256sum | cut -d' ' -f1)
  [[ -f $out/.pom.sha256 && $(cat "$out/.pom.sha256") == "$sum" ]] && return 0
  command -v mvn >/dev/null 2>&1 ||
    { echo "mvn not found: apt-get install -y --no-install-recommends maven" >&2; return 1; }
  mkdir -p "$(dirname "$out")"
  (
    flock 9
    [[ -f $out/.pom.sha256 && $(cat "$out/.pom.sha256") == "$sum" ]] && exit 0
    rm -rf "$out.tmp"
    mvn -q -B -f "$pom" "$@" dependency:copy-dependencies -DoutputDirectory="$out.tmp" \
      -DincludeScope=runtime >"$mlog" 2>&1 || { tail -n 15 "$mlog" >&2; exit 1; }
    echo "$sum" >"$out.tmp/.pom.sha256"
    rm -rf "$out"
    mv "$out.tmp" "$out"
  ) 9>"$out.lock"
}
