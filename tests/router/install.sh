#!/usr/bin/env bash
# Installs vllm-router 0.1.17 (the vLLM project's Rust router, a wheel on PyPI with its Python
# launcher) into a venv in the cache folder outside the repo, once.
#
# Prints the router's executable path on its last line. Idempotent: a complete venv is reused.
# Concurrent runs are serialised with flock on "$cache/.router-install.lock". A failed pip step is
# retried (3 tries, transient network errors).
set -euo pipefail

version=0.1.17
cache=${VLLM_PROVIDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vllm-provider}
venv="$cache/vllm-router-$version"
stamp="$venv/.complete"
exe="$venv/bin/vllm-router"

complete() { [ -f "$stamp" ] && [ -x "$exe" ]; }

if complete; then
  echo "router: reusing $venv" >&2
  echo "$exe"
  exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.router-install.lock"
if ! flock -n 9; then
  echo "router: another install into $venv is running; waiting for it (up to 10 min)" >&2
  flock -w 600 9 || { echo "router: gave up waiting for the install lock" >&2; exit 1; }
fi
if complete; then   # the run we waited for finished the job
  echo "router: reusing $venv" >&2
  echo "$exe"
  exit 0
fi

pip_retry() {
  local try
  for try in 1 2 3; do
    if "$venv/bin/pip" install --disable-pip-version-check -q --no-cache-dir "$@" >&2; then
      return 0
    fi
    [ "$try" = 3 ] && break
    echo "router: pip install failed (try $try of 3); retrying in $((try * 10)) s" >&2
    sleep $((try * 10))
  done
  echo "router: pip install $* failed 3 times" >&2
  return 1
}

echo "router: installing vllm-router $version into $venv (about 40 MB, once)" >&2
rm -rf "$venv"
python3 -m venv "$venv"
start=$(date +%s)
pip_retry "vllm-router==$version"
"$exe" --help >/dev/null || { echo "router: $exe --help failed after the install" >&2; exit 1; }
echo "$version" > "$stamp"
echo "router: installed in $(( $(date +%s) - start )) s" >&2
echo "$exe"
