#!/usr/bin/env bash
# Builds the Python example plugins into target/plugins/python/<name>/ (plugin.toml + component),
# with the python3 on PATH (or $STREAMHOOKS_PYTHON), which must have the SDK installed:
#   python3 -m pip install -e sdk/python
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="${STREAMHOOKS_PYTHON:-python3}"
for dir in "$root"/plugins/python/*/; do
    [ -f "$dir/plugin.toml" ] || continue
    name="$(basename "$dir")"
    "$python" -m streamhooks_sdk.build "$dir" --out "$root/target/plugins/python/$name"
done
