#!/usr/bin/env bash
# ctest wrapper for the console browser test.
#   run.sh CONSOLE_SERVER_BINARY BUILD_DIR
# Needs /usr/bin/chromium and node (scripts/install-deps --browser) and playwright-core (installed
# here by scripts/browser-test-setup). When one is missing: fails under CI=true, otherwise skips
# (exit 77) with the reason. Screenshots go to BUILD_DIR/test-output/console/.
set -euo pipefail
server="$1"
build="$2"
here="$(cd "$(dirname "$0")" && pwd)"

unavailable() {
  echo "console_browser: $1"
  if [[ "${CI:-}" == "true" ]]; then
    echo "console_browser: FAILED (CI=true: the browser test must run)"
    exit 1
  fi
  echo "console_browser: SKIPPED (set CI=true to make this a failure)"
  exit 77
}

[[ -x /usr/bin/chromium ]] || unavailable "/usr/bin/chromium is missing (scripts/install-deps --browser)"
command -v node >/dev/null || unavailable "node is missing (scripts/install-deps --browser)"
command -v npm >/dev/null || unavailable "npm is missing (scripts/install-deps --browser)"
modules="$("$here/../../scripts/browser-test-setup" "$build")" ||
  unavailable "npm ci of playwright-core failed (no network to the npm registry?)"

out="$build/test-output/console"
rm -rf "$out"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node "$here/console.spec.mjs" --server "$server" --modules "$modules" --out "$out" --work "$work"
