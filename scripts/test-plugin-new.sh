#!/usr/bin/env bash
# `streamhooks plugin new` in each language, used as a plugin author would, outside the
# checkout: scaffold, run the plugin's own test, `streamhooks plugin build` (which checks and
# precompiles it), then replay the bundled sample day through it. The three scaffolds must
# decide something, and decide the same thing.
#
# Needs what `scripts/build-plugins.sh --all` installs (the CLI, sdk/js's packages, the Python
# venv in target/python-venv). Called by scripts/test.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
streamhooks="$target_dir/debug/streamhooks"
venv="$target_dir/python-venv"
for needed in "$streamhooks" "$venv/bin/python" "$root/sdk/js/node_modules"; do
  [ -e "$needed" ] || { echo "$needed is missing: run scripts/build-plugins.sh --all first" >&2; exit 1; }
done

step() { printf '== %s\n' "$*" >&2; }
fail() { echo "test-plugin-new: $*" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export STREAMHOOKS_PYTHON="$venv/bin/python"

for lang in rust js python; do
  dir="$work/$lang/answered-by"
  step "plugin new --lang $lang answered-by"
  (cd "$work" && "$streamhooks" plugin new --lang "$lang" answered-by --dir "$dir") >&2
  grep -q "sdk" "$dir/$(case $lang in rust) echo Cargo.toml ;; js) echo package.json ;; python) echo pyproject.toml ;; esac)" ||
    fail "$lang: the scaffold names no SDK dependency"
  case "$lang" in
    rust)
      step "cargo test (the scaffold's own test)"
      cargo test --quiet --manifest-path "$dir/Cargo.toml" --target-dir "$target_dir" >&2
      ;;
    js)
      step "npm install && npm test"
      timeout 300 npm install --prefix "$dir" --no-audit --no-fund --loglevel=error >&2
      npm test --prefix "$dir" >&2
      ;;
    python)
      step "pip install -e . && python -m unittest"
      timeout 600 "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$dir" >&2
      (cd "$dir" && "$venv/bin/python" -m unittest) >&2
      ;;
  esac
  step "streamhooks plugin build ($lang)"
  "$streamhooks" plugin build "$dir" --out "$dir/dist" --target-dir "$target_dir" > "$work/$lang.build"
  cat "$work/$lang.build" >&2
  grep -q '^ok answered-by 0.1.0: .*(loaded from its precompiled artifact)$' "$work/$lang.build" ||
    fail "$lang: plugin build did not check and precompile the plugin"
  step "streamhooks replay --sample ($lang)"
  "$streamhooks" replay --plugins "$dir/dist" --sample > "$work/$lang.actions" 2> "$work/$lang.summary"
  cat "$work/$lang.summary" >&2
  decided="$(grep -c '"action":"update-contact-attributes".*"AnsweredBy"' "$work/$lang.actions" || true)"
  [ "$decided" -ge 10 ] || fail "$lang: the scaffold decided $decided AnsweredBy updates over the sample day"
  grep -q ' 0 denied, 0 plugin failures' "$work/$lang.summary" ||
    fail "$lang: denials or failures: $(tail -1 "$work/$lang.summary")"
done

for lang in js python; do
  cmp -s "$work/rust.actions" "$work/$lang.actions" ||
    fail "the $lang scaffold decides differently from the Rust one: $(diff "$work/rust.actions" "$work/$lang.actions" | head -5)"
done
step "plugin new: rust, js and python scaffolds test, build, check, precompile and decide the same $(wc -l < "$work/rust.actions") actions"
