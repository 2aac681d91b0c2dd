#!/usr/bin/env bash
# Usage: npm run migration:generate -- <Name>
# Diffs the entities against a scratch database that has every existing
# migration applied, writes migrations/<timestamp>-<Name>.ts and registers it.
set -euo pipefail
cd "$(dirname "$0")/.."
export TS_NODE_TRANSPILE_ONLY=1
name="${1:?usage: npm run migration:generate -- <Name>}"
base="${PGURL_BASE:-postgres://postgres@127.0.0.1:5432}"
scratch="clipline_gen_$$"
psql "$base/postgres" -qc "CREATE DATABASE $scratch" >/dev/null
trap 'psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $scratch" >/dev/null' EXIT
export DATABASE_URL="$base/$scratch"
npx typeorm-ts-node-commonjs migration:run -d libs/database/src/data-source.ts >/dev/null
npx typeorm-ts-node-commonjs migration:generate -d libs/database/src/data-source.ts -p "migrations/$name"
file=$(ls -t migrations/*-"$name".ts | head -1)
cls=$(grep -oE 'export class [A-Za-z0-9_]+' "$file" | awk '{print $3}')
mod=$(basename "$file" .ts)
node scripts/register-migration.mjs "$mod" "$cls"
npx prettier --write "$file" migrations/index.ts >/dev/null
echo "registered $cls in migrations/index.ts"
