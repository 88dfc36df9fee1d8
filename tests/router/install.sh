#!/usr/bin/env bash
# Installs vllm-router 0.1.17 (the vLLM project's Rust router, a wheel on PyPI with its Python
# launcher) into a venv in the cache folder outside the repo, once.
#
# Prints the router's executable path on its last line. Idempotent: a complete venv is reused.
# Concurrent runs are serialised with flock on "$cache/.router-install.lock". A failed pip step is
# retried (3 tries, transient network errors).
set -euo pipefail
source "$(cd "$(dirname "$0")" && pwd)/../pip-venv.sh"

version=0.1.17
tag=router
venv="$cache/vllm-router-$version"
stamp=$version
print="$venv/bin/vllm-router"

venv_begin .router-install.lock 600 "installing vllm-router $version into $venv (about 40 MB, once)"
pip_retry "vllm-router==$version"
"$print" --help >/dev/null || { echo "router: $print --help failed after the install" >&2; exit 1; }
venv_done
