#!/usr/bin/env bash
# Run ADL's LRS conformance suite (adlnet/lrs-conformance-test-suite) against a running Learnflow LRS.
#
#   tools/conformance/run.sh [-v 1.0.3|2.0.0|all] [-g GREP] BASE_URL KEY SECRET
#   e.g. tools/conformance/run.sh http://127.0.0.1:8000/xapi 7c98…:lK12…   (KEY:SECRET as one argument works too)
#
# The suite's own code is never put in this repository: it lives in $LRS_CONFORMANCE_DIR
# (default /work/conformance/lrs-conformance-test-suite). See tools/conformance/README.md for how to get it there.
set -euo pipefail

versions="all"
grep_pattern=""
while getopts "v:g:" opt; do
  case "$opt" in
    v) versions="$OPTARG" ;;
    g) grep_pattern="$OPTARG" ;;
    *) echo "usage: $0 [-v 1.0.3|2.0.0|all] [-g GREP] BASE_URL KEY SECRET" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [[ $# -eq 2 && "$2" == *:* ]]; then
  set -- "$1" "${2%%:*}" "${2#*:}"
fi
if [[ $# -ne 3 ]]; then
  echo "usage: $0 [-v 1.0.3|2.0.0|all] [-g GREP] BASE_URL KEY SECRET" >&2
  exit 2
fi
base_url="${1%/}"; key="$2"; secret="$3"
suite="${LRS_CONFORMANCE_DIR:-/work/conformance/lrs-conformance-test-suite}"
if [[ ! -f "$suite/bin/console_runner.js" ]]; then
  echo "conformance suite not found at $suite (set LRS_CONFORMANCE_DIR; see tools/conformance/README.md)" >&2
  exit 2
fi
if [[ ! -d "$suite/node_modules" ]]; then
  (cd "$suite" && npm install --no-audit --no-fund)
fi

[[ "$versions" == "all" ]] && versions="1.0.3 2.0.0"
out_dir="${LRS_CONFORMANCE_OUT:-/tmp/learnflow-conformance}"
mkdir -p "$out_dir"
status=0
for version in $versions; do
  log="$out_dir/run-$version.log"
  args=(-e "$base_url" -a -u "$key" -p "$secret" -x "$version" -z)
  [[ -n "$grep_pattern" ]] && args+=(-g "$grep_pattern")
  echo "== xAPI $version against $base_url (full output: $log)"
  (cd "$suite" && node bin/console_runner.js "${args[@]}") > "$log" 2>&1 || status=1
  # The runner prints progress as JSON lines {"total":…,"passed":…,"failed":…} and writes a JSON
  # log whose path it names on "Full run log written to …"; summarize.py lists the failing tests.
  run_log=$(sed -n 's/^Full run log written to //p' "$log" | tail -1)
  if [[ -n "$run_log" && -f "$run_log" ]]; then
    python3 "$(dirname "$0")/summarize.py" "$run_log" | tee "$out_dir/failures-$version.txt" || status=1
  else
    summary=$(grep -E '^\{"total"' "$log" | tail -1 || true)
    echo "summary: ${summary:-<none: see $log>}"
    status=1
  fi
done
exit $status
