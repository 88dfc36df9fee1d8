# Sourced by tests/vllm/install.sh and tests/router/install.sh: a venv in the cache folder outside the
# repo (${VLLM_PROVIDER_CACHE:-${XDG_CACHE_HOME:-~/.cache}/vllm-provider}), built once.
#
# Set before calling: tag (message prefix), venv (its folder), stamp (what "$venv/.complete" holds once
# the install finished), print (the path printed on the last line when ready). Then:
#   venv_begin LOCK WAIT_S MESSAGE   reuse a complete venv (prints $print, exits 0), else take the lock
#                                    "$cache/LOCK" (waiting up to WAIT_S s for another install) and
#                                    start a fresh venv
#   pip_retry ARGS...                a pip install step, tried 3 times (transient network errors)
#   venv_done                        write the stamp, print $print
cache=${VLLM_PROVIDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vllm-provider}

venv_complete() { [ -f "$venv/.complete" ] && [ "$(cat "$venv/.complete")" = "$stamp" ]; }

venv_reuse_if_complete() {
  if venv_complete; then
    echo "$tag: reusing $venv" >&2
    echo "$print"
    exit 0
  fi
}

venv_begin() {
  venv_reuse_if_complete
  mkdir -p "$cache"
  exec 9>"$cache/$1"
  if ! flock -n 9; then
    echo "$tag: another install into $venv is running; waiting for it (up to $(($2 / 60)) min)" >&2
    flock -w "$2" 9 || { echo "$tag: gave up waiting for the install lock" >&2; exit 1; }
  fi
  venv_reuse_if_complete   # the run we waited for finished the job
  echo "$tag: $3" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  venv_started=$(date +%s)
}

pip_retry() {
  local try
  for try in 1 2 3; do
    if "$venv/bin/pip" install --disable-pip-version-check -q --no-cache-dir "$@" >&2; then
      return 0
    fi
    [ "$try" = 3 ] && break
    echo "$tag: pip install failed (try $try of 3); retrying in $((try * 15)) s" >&2
    sleep $((try * 15))
  done
  echo "$tag: pip install $* failed 3 times" >&2
  return 1
}

venv_done() {
  echo "$stamp" > "$venv/.complete"
  echo "$tag: installed in $(( $(date +%s) - venv_started )) s" >&2
  echo "$print"
}
