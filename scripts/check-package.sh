#!/usr/bin/env bash
# The package as a user receives it: pack the tarball (prepack rebuilds dist/), lint it with publint
# and attw (ESM-only profile), install it into a scratch project in a temp dir, type-check a strict
# TypeScript app and the TSDoc examples against it, and run the app (every subpath, memory and SQLite,
# require(), source maps). Needs only the npm registry, and the npm cache that `npm ci` filled.
#   npm run check:package            KEEP=1 leaves the scratch directory for a look
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
smoke="$repo/scripts/package-smoke"
work="$(mktemp -d "${TMPDIR:-/tmp}/eventsourcing-package-XXXXXX")"
if [[ "${KEEP:-}" == 1 ]]; then echo "== keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
cd "$repo"

echo "== npm pack (prepack: clean dist/, build)"
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
[[ -f "$tarball" ]] || { echo "npm pack did not leave a tarball in $work" >&2; exit 1; }
echo "   $(basename "$tarball"): $(tar tzf "$tarball" | wc -l) files"

echo "== publint"
npx --no-install publint run "$tarball" --strict

echo "== attw --profile esm-only"
npx --no-install attw "$tarball" --profile esm-only --no-definitely-typed --no-emoji --no-color --format table-flipped

# The scratch project: the tarball and, at the versions this repository tests with, TypeScript and the
# optional peers. Scripts are skipped: better-sqlite3's native module is the one `npm ci` already built
# for this Node and version (copied below), instead of a second compile from source.
version() { node -p "require('$repo/node_modules/$1/package.json').version"; }
app="$work/app"
mkdir -p "$app"
cp "$smoke/app.ts" "$smoke/tsconfig.json" "$smoke/bank-domain.d.ts" "$app/"
printf '{ "name": "eventsourcing-smoke-app", "private": true, "type": "module" }\n' >"$app/package.json"
echo "== npm install the tarball into $app"
(cd "$app" && npm install --no-audit --no-fund --prefer-offline --ignore-scripts --loglevel=error \
  "$tarball" \
  "typescript@$(version typescript)" "@types/node@$(version @types/node)" \
  "better-sqlite3@$(version better-sqlite3)" "@types/better-sqlite3@$(version @types/better-sqlite3)" \
  "pg@$(version pg)" "@types/pg@$(version @types/pg)" \
  "vitest@$(version vitest)" "fast-check@$(version fast-check)")
native="node_modules/better-sqlite3/build/Release/better_sqlite3.node"
if [[ -f "$repo/$native" ]]; then
  mkdir -p "$(dirname "$app/$native")" && cp "$repo/$native" "$app/$native"
else
  (cd "$app" && npm rebuild better-sqlite3 --foreground-scripts)
fi

echo "== tsc: a strict app against the package (skipLibCheck off)"
(cd "$app" && npx --no-install tsc -p tsconfig.json)

echo "== tsc: the TSDoc examples of the handle, the config, the envelope and the scenario"
node "$smoke/extract-examples.mjs" "$app/node_modules/eventsourcing" "$app/examples" \
  index.d.ts core/types.d.ts core/arguments.d.ts core/errors.d.ts eventsourcing/supervised.d.ts testing/index.d.ts testing/scenario.d.ts
(cd "$app" && npx --no-install tsc --noEmit --strict --exactOptionalPropertyTypes --noUncheckedIndexedAccess \
  --target ES2022 --lib ES2022 --module NodeNext --moduleResolution NodeNext --types node --skipLibCheck \
  bank-domain.d.ts examples/*.ts)

echo "== TSDoc on the public types and their members (what hover shows)"
node "$smoke/check-docs.mjs" "$app"

echo "== run the app"
(cd "$app" && node --enable-source-maps out/app.js)
manifest="$app/node_modules/eventsourcing/package.json"
for bin in $(node -p "const p = require('$manifest'); Object.keys(typeof p.bin === 'string' ? { [p.name]: p.bin } : p.bin ?? {}).join(' ')"); do
  echo "== the installed bin: $bin --help"
  (cd "$app" && npx --no-install "$bin" --help >/dev/null)
done
echo "== package check passed"
