#!/usr/bin/env bash
# Lays out a streamhooks plugins layer for AWS Lambda in OUT_DIR:
#   OUT_DIR/streamhooks/plugins/<plugin>/plugin.toml
#   OUT_DIR/streamhooks/plugins/<plugin>/<component>                         (as the manifest names it)
#   OUT_DIR/streamhooks/plugins/<plugin>/<component>.<arch>.cwasm(.json)     (precompiled, per target)
# Lambda unpacks a layer under /opt, where the functions read STREAMHOOKS_PLUGINS_DIR
# (/opt/streamhooks/plugins).
#
# Usage: scripts/build-layer.sh [--target all|aarch64|arm64|x86_64] [--plugins DIR] [--no-build] OUT_DIR
#   --target   which precompiled artifacts to add (default: $STREAMHOOKS_LAYER_TARGET, else all).
#              The engine loads the artifact of its own architecture and compiles the component
#              when none fits, so `all` serves arm64 and x86_64 functions alike.
#   --plugins  the plugin folders to package (a folder of <plugin>/plugin.toml folders).
#              Default: the example plugins, built from source first (scripts/build-plugins.sh).
#   --no-build use the example plugins already in target/plugins/examples as they are.
#
# Artifacts come only from this build (`streamhooks plugin compile`), never from the input
# folders: any *.cwasm there is left out. Every plugin is checked (`streamhooks plugin check`)
# before it is packaged. Honours CARGO_TARGET_DIR. Used by deploy/plugins-layer/Makefile
# (`sam build`); to publish a layer of your own plugins, see docs/deploy.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

usage() {
  sed -n 's/^# Usage: //p' "$0" >&2
  exit 2
}

target="${STREAMHOOKS_LAYER_TARGET:-all}"
plugins=""
build=1
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --target) [ $# -ge 2 ] || usage; target="$2"; shift 2 ;;
    --target=*) target="${1#--target=}"; shift ;;
    --plugins) [ $# -ge 2 ] || usage; plugins="$2"; shift 2 ;;
    --plugins=*) plugins="${1#--plugins=}"; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) usage ;;
    -*) echo "build-layer.sh: unknown option $1" >&2; usage ;;
    *) [ -z "$out" ] || usage; out="$1"; shift ;;
  esac
done
[ -n "$out" ] || usage
case "$target" in
  arm64) target=aarch64 ;;
  all|aarch64|x86_64) ;;
  *) echo "build-layer.sh: --target must be all, aarch64 (arm64) or x86_64, not '$target'" >&2; exit 2 ;;
esac

step() { printf '== %s\n' "$*" >&2; }

if [ -z "$plugins" ]; then
  plugins="$target_dir/plugins/examples"
  if [ "$build" = 1 ]; then
    bash "$root/scripts/build-plugins.sh"
  fi
fi
if [ ! -d "$plugins" ]; then
  echo "build-layer.sh: no plugin folder $plugins (run scripts/build-plugins.sh, or drop --no-build)" >&2
  exit 1
fi

step "cargo build: streamhooks (the tool that checks and precompiles plugins)"
(cd "$root" && cargo build --quiet -p streamhooks-cli --bin streamhooks \
  --target-dir "$target_dir" ${CARGO_LOCKED:+--locked})
streamhooks="$target_dir/debug/streamhooks"

mkdir -p "$out"
dest="$(cd "$out" && pwd)/streamhooks/plugins"
rm -rf "$dest"
mkdir -p "$dest"

count=0
for manifest in "$plugins"/*/plugin.toml; do
  [ -e "$manifest" ] || continue
  src="$(dirname "$manifest")"
  name="$(basename "$src")"
  mkdir -p "$dest/$name"
  # Everything the plugin folder holds (manifest, component, data it names) but artifacts.
  (cd "$src" && find . -type f ! -name '*.cwasm' ! -name '*.cwasm.json' -print0 |
    while IFS= read -r -d '' file; do
      mkdir -p "$dest/$name/$(dirname "$file")"
      cp "$file" "$dest/$name/$file"
    done)
  count=$((count + 1))
done
if [ "$count" = 0 ]; then
  echo "build-layer.sh: $plugins holds no <plugin>/plugin.toml" >&2
  exit 1
fi

step "streamhooks plugin check ($count plugins)"
"$streamhooks" plugin check "$dest" >&2

step "streamhooks plugin compile --target $target"
"$streamhooks" plugin compile --target "$target" "$dest" >&2

step "layer ready: $dest ($(du -sh "$dest" | cut -f1))"
