#!/usr/bin/env bash
# The main job on an embedded default, with no AWS account: builds the example plugins from
# source, then replays the bundled sample day of Amazon Connect events through them and prints
# every action they decide (dry run: nothing is executed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-plugins.sh >&2
exec cargo run --quiet --locked -p streamhooks-cli -- \
  replay --plugins target/plugins/examples --sample "$@"
