#!/usr/bin/env bash
# The one test command: unit, then integration, end-to-end, browser and fault suites, against real
# PostgreSQL, Redis, s3rver, ffmpeg, pocketsphinx and onnxruntime. Each run
# gets its own database and Bull prefix (test/support/test-environment.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-services.sh
export MODEL_DIR="${MODEL_DIR:-$(cd .. && pwd)/shared/models}"
# The end-to-end and browser tests run the built apps (and web app) as separate processes.
if [ "${SKIP_BUILD:-0}" != 1 ]; then node scripts/build-all.mjs; fi
npx jest --selectProjects unit
npx jest --selectProjects integration --runInBand
npx jest --selectProjects e2e --runInBand
npx jest --selectProjects web --runInBand
# Last: kill -9, SIGSTOP, Redis/Postgres/S3 outages and a full disk against its own
# services (docs/reliability.md); about 13 minutes.
npx jest --selectProjects faults --runInBand
