#!/usr/bin/env bash
# Lints the AWS SAM application (template.yaml) offline, with no AWS credentials:
#   cfn-lint template.yaml                          (errors, warnings and informational findings)
#   sam validate --lint --region us-east-1          (SAM's own validation, then cfn-lint again)
# Exits non-zero on any finding.
#
# cfn-lint (1.x) and the AWS SAM CLI (1.x) are used from PATH when present; otherwise they are
# installed with pip into a virtual environment of their own ($STREAMHOOKS_TOOLS_VENV, default
# ~/.cache/streamhooks/lint-venv), so their pinned botocore never replaces the one another tool
# (the AWS CLI) installed system-wide depends on.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

# SAM must not reach AWS (or anything else): no telemetry, no instance metadata lookups, and a
# region so that it does not ask for one. Credentials are never needed for these commands.
export SAM_CLI_TELEMETRY=0
export AWS_EC2_METADATA_DISABLED=true
export AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1

venv="${STREAMHOOKS_TOOLS_VENV:-$HOME/.cache/streamhooks/lint-venv}"
if [ -x "$venv/bin/python" ]; then
  export PATH="$venv/bin:$PATH"
fi

missing=()
command -v cfn-lint >/dev/null 2>&1 || missing+=('cfn-lint>=1.58,<2')
command -v sam >/dev/null 2>&1 || missing+=('aws-sam-cli>=1.170,<2')
if [ "${#missing[@]}" -gt 0 ]; then
  step "pip install ${missing[*]} (into $venv)"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
  fi
  timeout 900 "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
  export PATH="$venv/bin:$PATH"
fi

step "cfn-lint $(cfn-lint --version 2>&1 | tail -n 1): template.yaml"
# --include-checks I: informational findings count too.
cfn-lint --include-checks I -- template.yaml

step "$(sam --version): sam validate --lint"
sam validate --lint --region us-east-1 --template-file template.yaml

step "template.yaml: no findings"
