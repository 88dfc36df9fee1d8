#!/usr/bin/env bash
# npm start: set up, build, and serve the config tester on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build
node scripts/build.mjs
exec node scripts/serve.mjs
