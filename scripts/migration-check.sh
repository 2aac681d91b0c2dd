#!/usr/bin/env bash
# Fails when the entities and the migrations disagree: applies every migration
# to a scratch database, then asks TypeORM whether any schema change remains.
set -euo pipefail
cd "$(dirname "$0")/.."
export TS_NODE_TRANSPILE_ONLY=1
base="${PGURL_BASE:-postgres://postgres@127.0.0.1:5432}"
scratch="clipline_check_$$"
psql "$base/postgres" -qc "CREATE DATABASE $scratch" >/dev/null
trap 'psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $scratch" >/dev/null' EXIT
export DATABASE_URL="$base/$scratch"
npx typeorm-ts-node-commonjs migration:run -d libs/database/src/data-source.ts >/dev/null
if npx typeorm-ts-node-commonjs migration:generate -d libs/database/src/data-source.ts --check --dryrun migrations/Check >/tmp/migration-check.$$ 2>&1; then
  echo "migrations match the entities"
  rm -f /tmp/migration-check.$$
else
  cat /tmp/migration-check.$$
  rm -f /tmp/migration-check.$$
  echo "ERROR: the entities changed without a migration. Run: npm run migration:generate -- <Name>" >&2
  exit 1
fi
