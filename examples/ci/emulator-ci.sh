#!/usr/bin/env bash
# Plan and apply a Terraform configuration against entra-emulator in CI, using only the
# release artifacts of terraform-provider-entra (no Rust toolchain, no tenant).
#
# Usage: emulator-ci.sh [--seed FILE] [--config DIR] [--work DIR] [--keep-emulator]
#                       SOURCE VERSION [-- EMULATOR_FLAG...]
#   SOURCE   where the release artifacts are: the release's download URL
#            (https://github.com/entra-au/terraform-provider-entra/releases/download/v0.1.0),
#            a file:// URL, or a local directory holding them
#   VERSION  the release version, e.g. 0.1.0
#   --seed FILE       start the emulator from this tenant (default: its built-in demo tenant)
#   --config DIR      the Terraform configuration to plan and apply (default: .)
#   --work DIR        downloads, mirror, CLI config and emulator files (default: entra-ci
#                     in $RUNNER_TEMP on GitHub, $AGENT_TEMPDIRECTORY on Azure DevOps,
#                     else $TMPDIR or /tmp)
#   --keep-emulator   leave the emulator running for later steps (pid in WORK/emulator.pid,
#                     its variables in WORK/emulator.env, the CLI config in WORK/terraformrc)
#   EMULATOR_FLAG     more entra-emulator flags, e.g. -- --replication-lag-ms 0
# Needs bash, curl (for URLs), sha256sum or shasum, unzip or python3, and terraform.
set -euo pipefail

usage="usage: emulator-ci.sh [--seed FILE] [--config DIR] [--work DIR] [--keep-emulator] SOURCE VERSION [-- EMULATOR_FLAG...]"
fail() { echo "emulator-ci: $*" >&2; exit 1; }

seed=""
config="."
work="${RUNNER_TEMP:-${AGENT_TEMPDIRECTORY:-${TMPDIR:-/tmp}}}/entra-ci"
keep=0
positional=()
emulator_flags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --keep-emulator) keep=1; shift ;;
    --) shift; emulator_flags=("$@"); break ;;
    -*) echo "$usage" >&2; exit 2 ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -eq 2 ] || { echo "$usage" >&2; exit 2; }
source_=${positional[0]%/}
version=${positional[1]#v}

command -v terraform >/dev/null 2>&1 ||
  fail "terraform is not on PATH (GitHub Actions: hashicorp/setup-terraform; Azure DevOps: TerraformInstaller)"
[ -d "$config" ] || fail "no Terraform configuration directory $config"
config=$(cd "$config" && pwd)
if [ -n "$seed" ]; then
  [ -f "$seed" ] || fail "no seed file $seed"
  seed="$(cd "$(dirname "$seed")" && pwd)/$(basename "$seed")"
fi

# 1. This runner's platform, as the release names it (linux_amd64, linux_arm64, ...).
os=$(uname -s | tr '[:upper:]' '[:lower:]')
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac
provider_zip="terraform-provider-entra_${version}_${os}_${arch}.zip"
emulator_zip="entra-emulator_${version}_${os}_${arch}.zip"
sums="terraform-provider-entra_${version}_SHA256SUMS"

# 2. Download the two zips and SHA256SUMS (or copy them from a local directory).
mkdir -p "$work"
work=$(cd "$work" && pwd)
rm -rf "$work/download" "$work/emulator" "$work/mirror"
mkdir -p "$work/download"
for file in "$sums" "$provider_zip" "$emulator_zip"; do
  case "$source_" in
    http://* | https://* | file://*)
      curl -fsSL --retry 3 -o "$work/download/$file" "$source_/$file" ||
        fail "could not download $source_/$file (is $version released for ${os}_${arch}?)" ;;
    *)
      [ -f "$source_/$file" ] || fail "$source_/$file does not exist (is $version released for ${os}_${arch}?)"
      cp "$source_/$file" "$work/download/$file" ;;
  esac
done

# 3. Check both zips against SHA256SUMS.
awk -v a="$provider_zip" -v b="$emulator_zip" '$2 == a || $2 == b' \
  "$work/download/$sums" >"$work/download/checked.sums"
[ "$(wc -l <"$work/download/checked.sums")" -eq 2 ] || fail "$sums does not list $provider_zip and $emulator_zip"
(
  cd "$work/download"
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum -c checked.sums
  else
    shasum -a 256 -c checked.sums
  fi
) || fail "the downloaded zips do not match $sums"

# 4. Unpack the emulator.
mkdir -p "$work/emulator"
if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$work/download/$emulator_zip" -d "$work/emulator"
else
  python3 -m zipfile -e "$work/download/$emulator_zip" "$work/emulator"
fi
chmod +x "$work/emulator/entra-emulator"

# 5. A filesystem mirror (packed layout) holding the provider zip, and a CLI
#    configuration that installs entra-au/entra from it and everything else as usual.
mirror="$work/mirror/registry.terraform.io/entra-au/entra"
mkdir -p "$mirror"
cp "$work/download/$provider_zip" "$mirror/"
cat >"$work/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/entra-au/entra"]
  }
  direct {
    exclude = ["registry.terraform.io/entra-au/entra"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

# 6. Start the emulator. It prints its variables (ENTRA_EMULATOR_URL first, then ARM_*,
#    ENTRA_GRAPH_ENDPOINT, ENTRA_LOGIN_ENDPOINT) on stdout, then serves until stopped.
: >"$work/emulator.env"
"$work/emulator/entra-emulator" ${seed:+--seed "$seed"} ${emulator_flags[@]+"${emulator_flags[@]}"} \
  >"$work/emulator.env" 2>"$work/emulator.log" </dev/null &
emulator_pid=$!
echo "$emulator_pid" >"$work/emulator.pid"
stop_emulator() {
  if [ "$keep" = 0 ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
    rm -f "$work/emulator.pid"
  fi
}
trap stop_emulator EXIT
ready() {
  grep -q '^ENTRA_LOGIN_ENDPOINT=' "$work/emulator.env" || return 1
  # With --tls, SSL_CERT_FILE follows the endpoints.
  grep -q '^ENTRA_EMULATOR_URL=https:' "$work/emulator.env" || return 0
  grep -q '^SSL_CERT_FILE=' "$work/emulator.env"
}
for _ in $(seq 300); do
  ready && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; fail "entra-emulator exited at start"; }
  sleep 0.1
done
ready || { cat "$work/emulator.log" >&2; fail "entra-emulator printed no endpoints within 30 s"; }
while IFS='=' read -r key value; do
  [ -n "$key" ] && export "$key=$value"
done <"$work/emulator.env"
echo "emulator-ci: entra-emulator $version at $ENTRA_EMULATOR_URL (tenant $ARM_TENANT_ID)"

# 7. Install the provider from the mirror, apply, and check that a second plan is empty.
terraform -chdir="$config" init -input=false -no-color
terraform -chdir="$config" apply -auto-approve -input=false -no-color
rc=0
terraform -chdir="$config" plan -detailed-exitcode -input=false -no-color || rc=$?
case "$rc" in
  0) echo "emulator-ci: applied, and a second plan is empty" ;;
  2) fail "the configuration does not converge: a plan right after apply still has changes" ;;
  *) fail "terraform plan failed" ;;
esac
if [ "$keep" = 1 ]; then
  echo "emulator-ci: entra-emulator left running (pid $emulator_pid); variables in $work/emulator.env, CLI config $work/terraformrc"
fi
