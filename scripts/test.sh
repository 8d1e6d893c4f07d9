#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need (idempotent), then
# checks formatting, lints with warnings as errors, and runs every test in the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

step "tools the tests need"
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
    timeout 300 rustup component add "$component"
  fi
done

if ! command -v cfn-lint >/dev/null 2>&1; then
  timeout 600 python3 -m pip install --quiet --root-user-action=ignore 'cfn-lint>=1.58,<2'
fi

step "cfn-lint template.yaml"
cfn-lint template.yaml

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked

step "main job: streamhooks decode --sample"
# The README's first command must keep working: decode the bundled sample day, every line.
cargo run --quiet --locked -p streamhooks-cli -- decode --sample --no-raw > /dev/null
