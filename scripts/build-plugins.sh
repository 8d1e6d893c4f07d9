#!/usr/bin/env bash
# Builds every plugin of the plugins workspace (plugins/Cargo.toml) from source and lays out
# ready-to-load plugin directories:
#   target/plugins/examples/<name>/{plugin.toml,<component named in the manifest>}
#   target/plugins/hostile/<name>/{plugin.toml,<component>}
# Plugins compile for wasm32-unknown-unknown in ONE cargo invocation (shared dependencies build
# once), then `streamhooks-componentize` (crates/plugin-build) turns each core module into a
# component and refuses any that imports more than the streamhooks host interface.
# Idempotent; honours CARGO_TARGET_DIR (default: the repository's target/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
out="$target_dir/plugins"

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

rm -rf "$out"
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
