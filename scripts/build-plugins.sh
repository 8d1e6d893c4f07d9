#!/usr/bin/env bash
# Builds every plugin of the plugins workspace (plugins/Cargo.toml) from source and lays out
# ready-to-load plugin directories:
#   target/plugins/examples/<name>/{plugin.toml,<component named in the manifest>}
#   target/plugins/hostile/<name>/{plugin.toml,<component>}
# Plugins compile for wasm32-unknown-unknown in ONE cargo invocation (shared dependencies build
# once), then `streamhooks-componentize` (crates/plugin-build) turns each core module into a
# component and refuses any that imports more than the streamhooks host interface.
#
# With --all, also the JavaScript and Python versions of the examples (plugins/js/*,
# plugins/python/*), each with its own ecosystem's build through `streamhooks plugin build`,
# checked and precompiled for this host:
#   target/plugins/js/<name>/      (npm: sdk/js and the plugins/js workspace; componentize-js)
#   target/plugins/python/<name>/  (a venv in target/python-venv with sdk/python and
#                                   componentize-py from PyPI)
# Idempotent; honours CARGO_TARGET_DIR (default: the repository's target/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
out="$target_dir/plugins"
all=0
case "${1:-}" in
  --all) all=1 ;;
  "") ;;
  *) echo "usage: scripts/build-plugins.sh [--all]" >&2; exit 2 ;;
esac

step() { printf '== %s\n' "$*" >&2; }

if command -v rustup >/dev/null 2>&1; then
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    step "rustup target add wasm32-unknown-unknown"
    timeout 120 rustup target add wasm32-unknown-unknown
  fi
fi

step "cargo build: plugins (wasm32-unknown-unknown, release)"
cargo build --release --target wasm32-unknown-unknown --manifest-path plugins/Cargo.toml \
  --target-dir "$target_dir" ${CARGO_LOCKED:+--locked}

step "cargo build: streamhooks-componentize"
cargo build --quiet -p streamhooks-plugin-build --bin streamhooks-componentize \
  --target-dir "$target_dir" ${CARGO_LOCKED:+--locked}
componentize="$target_dir/debug/streamhooks-componentize"

# The first `key = "value"` of a TOML file (the files here keep such keys on one line).
toml_string() { sed -n "s/^$2[[:space:]]*=[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" "$1" | head -n 1; }

rm -rf "$out/examples" "$out/hostile"
count=0
for manifest in plugins/*/plugin.toml plugins/hostile/*/plugin.toml; do
  [ -e "$manifest" ] || continue
  dir="$(dirname "$manifest")"
  case "$dir" in
    plugins/hostile/*) group=hostile ;;
    *) group=examples ;;
  esac
  name="$(toml_string "$manifest" name)"
  component="$(toml_string "$manifest" component)"
  crate="$(toml_string "$dir/Cargo.toml" name)"
  if [ -z "$name" ] || [ -z "$component" ] || [ -z "$crate" ]; then
    echo "$manifest: needs name and component, and $dir/Cargo.toml a package name" >&2
    exit 1
  fi
  core="$target_dir/wasm32-unknown-unknown/release/${crate//-/_}.wasm"
  if [ ! -f "$core" ]; then
    echo "$dir: cargo produced no $core (is the crate a plugins workspace member with crate-type cdylib?)" >&2
    exit 1
  fi
  dest="$out/$group/$name"
  mkdir -p "$dest"
  cp "$manifest" "$dest/plugin.toml"
  "$componentize" "$core" "$dest/$component" >&2
  count=$((count + 1))
done
step "$count plugins ready in $out"

[ "$all" = 1 ] || exit 0

# JavaScript and Python: `streamhooks plugin build` runs each ecosystem's build, checks the
# component and precompiles it (a 12-18 MB component compiles in seconds, loads in milliseconds).
step "cargo build: streamhooks (plugin build, check, precompile)"
cargo build --quiet -p streamhooks-cli --bin streamhooks --target-dir "$target_dir" \
  ${CARGO_LOCKED:+--locked}
streamhooks="$target_dir/debug/streamhooks"

command -v npm >/dev/null || { echo "npm (Node.js 20+) is needed for the JavaScript plugins" >&2; exit 1; }
step "npm: the JavaScript SDK (componentize-js) and the plugins/js workspace"
# `npm install`, not `npm ci`, for the SDK: the registry mirror serves no other platforms'
# optional native packages, so the lockfile lacks them and `npm ci` would refuse it; install
# keeps the locked versions.
timeout 900 npm install --prefix sdk/js --no-audit --no-fund --loglevel=error
timeout 300 npm ci --prefix plugins/js --no-audit --no-fund --loglevel=error

venv="$target_dir/python-venv"
step "python: a venv with the Python SDK (componentize-py) in $venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
timeout 900 "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e sdk/python

rm -rf "$out/js" "$out/python"
for lang in js python; do
  for manifest in plugins/$lang/*/plugin.toml; do
    [ -e "$manifest" ] || continue
    dir="$(dirname "$manifest")"
    name="$(toml_string "$manifest" name)"
    step "streamhooks plugin build $dir"
    STREAMHOOKS_PYTHON="$venv/bin/python" "$streamhooks" plugin build "$dir" \
      --out "$out/$lang/$name" >&2
    count=$((count + 1))
  done
done
step "$count plugins ready in $out (Rust, JavaScript, Python)"
