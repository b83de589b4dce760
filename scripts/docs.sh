#!/usr/bin/env bash
# make docs / make docs-check: regenerate docs/ (Terraform Registry layout) from the
# provider's own schema (`terraform providers schema -json` of the freshly built binary),
# the page templates in templates/ and the example files in examples/.
#   scripts/docs.sh           rewrite docs/
#   scripts/docs.sh --check   fail, naming the pages, when docs/ is not what the generator writes
set -euo pipefail
cd "$(dirname "$0")/.."

mode=generate
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: scripts/docs.sh [--check]" >&2; exit 2 ;;
esac

if ! command -v terraform >/dev/null 2>&1 && [ -z "${TF_ACC_TERRAFORM_PATH:-}" ]; then
  echo "docs: terraform is not on PATH; the schema comes from \`terraform providers schema -json\` (Terraform 1.5 or newer)" >&2
  exit 1
fi

cargo build --quiet -p terraform-provider-entra -p docgen --bins
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
"$target/debug/docgen" "$mode" --provider "$target/debug/terraform-provider-entra" --root .
