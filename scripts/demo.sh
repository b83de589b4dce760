#!/usr/bin/env bash
# make demo: build, start the emulator, apply examples/quickstart with the
# freshly built provider (dev_overrides, no terraform init), show it, destroy it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
example=${1:-examples/quickstart}

if ! command -v terraform >/dev/null 2>&1; then
  echo "demo: terraform is not on PATH; install Terraform 1.5 or newer first" >&2
  exit 1
fi

target="${CARGO_TARGET_DIR:-$root/target}"
echo "==> Building the provider and the emulator"
cargo build --quiet --workspace --bins

work=$(mktemp -d "${TMPDIR:-/tmp}/entra-demo.XXXXXX")
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> Starting entra-emulator"
"$target/debug/entra-emulator" --listen 127.0.0.1:0 >"$work/emulator.env" 2>"$work/emulator.log" &
emulator_pid=$!
for _ in $(seq 1 100); do
  grep -q '^ENTRA_LOGIN_ENDPOINT=' "$work/emulator.env" 2>/dev/null && break
  if ! kill -0 "$emulator_pid" 2>/dev/null; then cat "$work/emulator.log" >&2; exit 1; fi
  sleep 0.1
done
grep -q '^ENTRA_LOGIN_ENDPOINT=' "$work/emulator.env" || { echo "demo: the emulator did not start" >&2; cat "$work/emulator.log" >&2; exit 1; }
set -a
# shellcheck disable=SC1091
. "$work/emulator.env"
set +a
echo "    Graph at $ENTRA_GRAPH_ENDPOINT, tenant $ARM_TENANT_ID"

# dev_overrides point at a directory holding only our binary.
mkdir -p "$work/plugins" "$work/config"
ln -s "$target/debug/terraform-provider-entra" "$work/plugins/terraform-provider-entra"
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "entra-au/entra" = "$work/plugins"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
cp -R "$root/$example/." "$work/config/"

echo "==> terraform apply ($example)"
terraform -chdir="$work/config" apply -auto-approve -input=false -no-color

echo "==> Created"
terraform -chdir="$work/config" state list | while read -r addr; do
  terraform -chdir="$work/config" state show -no-color "$addr"
done

echo "==> terraform destroy"
terraform -chdir="$work/config" destroy -auto-approve -input=false -no-color | tail -n 1
remaining=$(terraform -chdir="$work/config" state list | wc -l)
if [ "$remaining" -ne 0 ]; then echo "demo: $remaining resources left in state" >&2; exit 1; fi
echo "==> Demo finished: created and destroyed against the emulator"
