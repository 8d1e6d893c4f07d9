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

# moto's server: a real DynamoDB-compatible server (and EventBridge, SQS) on 127.0.0.1 for the
# state-store and function tests; they start it themselves.
if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
  timeout 900 python3 -m pip install --quiet --root-user-action=ignore 'moto[server]>=5,<6'
fi

# The forwarder's tests: Node.js and npm (the machine's), the npm packages from the lockfile
# (the real amazon-connect-streams, jsdom, TypeScript, playwright-core), and Debian's Chromium
# for the browser end-to-end test (playwright-core drives it; it downloads no browser).
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "Node.js 20+ and npm are needed for the forwarder's tests" >&2
  exit 1
}
if [ ! -x /usr/bin/chromium ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  timeout 600 $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive timeout 900 $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
timeout 600 npm ci --prefix sdk/forwarder --no-audit --no-fund --loglevel=error

step "template.yaml: cfn-lint and sam validate --lint (offline)"
bash scripts/lint-template.sh

step "cargo fmt --check"
cargo fmt --all -- --check
cargo fmt --all --manifest-path plugins/Cargo.toml -- --check
cargo fmt --manifest-path sdk/rust/Cargo.toml -- --check

step "plugins: build from source (Rust: wasm32-unknown-unknown, componentized; JavaScript: componentize-js; Python: componentize-py)"
# --all installs the JavaScript SDK's npm packages and a Python venv (target/python-venv) with
# the Python SDK and componentize-py, and builds, checks and precompiles the JS/Python examples.
CARGO_LOCKED=1 bash scripts/build-plugins.sh --all

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
# The guest side: SDK and plugins, natively (their unit tests) and for the wasm target.
cargo clippy --manifest-path sdk/rust/Cargo.toml --target-dir target --all-targets --locked -- -D warnings
cargo clippy --manifest-path plugins/Cargo.toml --target-dir target --workspace --all-targets --locked -- -D warnings
cargo clippy --manifest-path plugins/Cargo.toml --target-dir target --workspace --locked \
  --target wasm32-unknown-unknown -- -D warnings

step "cargo test"
# The function binaries, which tests/functions.rs runs as Lambda runs them (cargo test builds
# only the binaries of the package under test).
cargo build --locked -p streamhooks-ingest-http -p streamhooks-contact-events -p streamhooks-agent-events
cargo test --workspace --locked
cargo test --manifest-path sdk/rust/Cargo.toml --target-dir target --locked
cargo test --manifest-path plugins/Cargo.toml --target-dir target --workspace --locked

step "plugin SDKs: JavaScript (node tests, types) and Python (unittest), and their example plugins"
npm --prefix sdk/js run --silent typecheck
npm --prefix sdk/js test
npm --prefix plugins/js test
(cd sdk/python && ../../target/python-venv/bin/python -m unittest discover -s tests)
for dir in plugins/python/*/; do
  (cd "$dir" && ../../../target/python-venv/bin/python -m unittest)
done

step "streamhooks plugin new: the Rust, JavaScript and Python scaffolds, used as an author would"
bash scripts/test-plugin-new.sh

step "forwarder: types, node tests with the real amazon-connect-streams in jsdom"
npm --prefix sdk/forwarder run --silent typecheck
npm --prefix sdk/forwarder test

step "browser end to end: the demo page in headless Chromium against streamhooks dev"
# target/debug/streamhooks was built by cargo test above (the CLI's tests run the binary).
STREAMHOOKS_BIN=target/debug/streamhooks node --test sdk/forwarder/test/e2e/

step "main job: scripts/demo.sh"
# The README's first command must keep working: the example plugins over the sample day.
bash scripts/demo.sh > /dev/null
