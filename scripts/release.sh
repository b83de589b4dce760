#!/usr/bin/env bash
# make release: the Terraform Registry release layout for this machine's platform.
#   dist/terraform-provider-entra_{VERSION}_{OS}_{ARCH}.zip   holds terraform-provider-entra_v{VERSION}
#   dist/terraform-provider-entra_{VERSION}_manifest.json     protocol version 6.0
#   dist/terraform-provider-entra_{VERSION}_SHA256SUMS        every zip in dist/ and the manifest
#   dist/mirror/registry.terraform.io/entra-au/entra/*.zip    a packed filesystem_mirror
#
# Options:
#   --binary PATH   package this provider binary instead of building a release one
#   --out DIR       output directory (default dist)
#   --os OS --arch ARCH   the binary's platform (default: this machine's)
#   --fast          fastest zip compression (the tests package a debug binary)
# Zip entries carry SOURCE_DATE_EPOCH (default 1980-01-01) as their time, so the same
# binary always gives the same zip and hashes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

binary=""
out="dist"
level=9
os=$(uname -s | tr '[:upper:]' '[:lower:]')
arch=$(uname -m | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/')
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --os) os=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --fast) level=1; shift ;;
    *) echo "usage: scripts/release.sh [--binary PATH] [--out DIR] [--os OS] [--arch ARCH] [--fast]" >&2; exit 2 ;;
  esac
done

version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n 1)
[ -n "$version" ] || { echo "release: no version in Cargo.toml" >&2; exit 1; }
name="terraform-provider-entra"

if [ -z "$binary" ]; then
  echo "==> cargo build --release ($name $version, ${os}_${arch})"
  cargo build --quiet --release -p "$name" --bin "$name"
  target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
  binary="$target/release/$name"
fi
[ -x "$binary" ] || { echo "release: $binary is not an executable" >&2; exit 1; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/entra-release.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# The registry's naming: the binary inside the zip is terraform-provider-entra_v{VERSION}.
inner="${name}_v${version}"
zip_name="${name}_${version}_${os}_${arch}.zip"
cp "$binary" "$stage/$inner"
chmod 0755 "$stage/$inner"
touch -d "@${SOURCE_DATE_EPOCH:-315532800}" "$stage/$inner"
rm -f "$out/$zip_name"
if command -v zip >/dev/null 2>&1; then
  (cd "$stage" && zip -q -X "-$level" "$out/$zip_name" "$inner")
else
  python3 - "$stage/$inner" "$out/$zip_name" "$level" <<'PY'
import os, sys, time, zipfile
src, dst, level = sys.argv[1], sys.argv[2], int(sys.argv[3])
info = zipfile.ZipInfo(os.path.basename(src), time.gmtime(os.path.getmtime(src))[:6])
info.external_attr = 0o100755 << 16
info.compress_type = zipfile.ZIP_DEFLATED
with open(src, "rb") as f, zipfile.ZipFile(dst, "w") as z:
    z.writestr(info, f.read(), compresslevel=level)
PY
fi

manifest="${name}_${version}_manifest.json"
cat >"$out/$manifest" <<JSON
{
  "version": 1,
  "metadata": {
    "protocol_versions": ["6.0"]
  }
}
JSON

sums="${name}_${version}_SHA256SUMS"
(cd "$out" && sha256sum "${name}_${version}"_*.zip "$manifest" >"$sums")

mirror="$out/mirror/registry.terraform.io/entra-au/entra"
mkdir -p "$mirror"
cp "$out/$zip_name" "$mirror/$zip_name"

echo "==> $out"
(cd "$out" && cat "$sums")
echo "Install through a filesystem mirror: provider_installation { filesystem_mirror { path = \"$out/mirror\" } }"
