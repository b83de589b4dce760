#!/usr/bin/env bash
# make release: the Terraform Registry release layout, plus the emulator, for one platform.
#   dist/terraform-provider-entra_{VERSION}_{OS}_{ARCH}.zip   holds terraform-provider-entra_v{VERSION}
#   dist/entra-emulator_{VERSION}_{OS}_{ARCH}.zip             holds entra-emulator
#   dist/terraform-provider-entra_{VERSION}_manifest.json     protocol version 6.0
#   dist/terraform-provider-entra_{VERSION}_SHA256SUMS        every zip in dist/ and the manifest
#   dist/mirror/registry.terraform.io/entra-au/entra/*.zip    a packed filesystem_mirror (provider)
# Run it once per platform with the same --out to collect several platforms: SHA256SUMS
# always covers every zip of this version in the directory. See docs/release.md.
#
# Linux binaries are built with cargo-zigbuild against glibc 2.28 when it is installed
# (they then run on any Linux with glibc 2.28 or newer), otherwise with plain cargo
# against this machine's glibc (with a warning).
#
# Options:
#   --portable               Linux: insist on the glibc 2.28 build (fail, saying how to install
#                            cargo-zigbuild, when it is missing) and fail if a packaged binary
#                            needs a newer glibc. `make release` passes it.
#   --binary PATH            package this provider binary instead of building one
#   --emulator-binary PATH   package this entra-emulator binary instead of building one
#   --out DIR                output directory (default dist)
#   --os OS --arch ARCH      the platform (default: this machine's); building for another
#                            Linux architecture (arm64 on amd64) needs cargo-zigbuild
#   --fast                   fastest zip compression (the tests package debug binaries)
# Zip entries carry SOURCE_DATE_EPOCH (default 1980-01-01) as their time, so the same
# binary always gives the same zip and hashes.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
root=$PWD

glibc_baseline="2.28"
binary=""
emulator_binary=""
out="dist"
level=9
portable=0
host_os=$(uname -s | tr '[:upper:]' '[:lower:]')
host_arch=$(uname -m | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/')
os=$host_os
arch=$host_arch
usage="usage: scripts/release.sh [--portable] [--binary PATH] [--emulator-binary PATH] [--out DIR] [--os OS] [--arch ARCH] [--fast]"
while [ $# -gt 0 ]; do
  case "$1" in
    --portable) portable=1; shift ;;
    --binary) binary=$2; shift 2 ;;
    --emulator-binary) emulator_binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --os) os=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --fast) level=1; shift ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
fail() { echo "release: $*" >&2; exit 1; }

version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n 1)
[ -n "$version" ] || fail "no version in Cargo.toml"
name="terraform-provider-entra"
emulator="entra-emulator"
platform="${os}_${arch}"

have_zigbuild() {
  command -v cargo-zigbuild >/dev/null 2>&1 || return 1
  command -v zig >/dev/null 2>&1 || python3 -m ziglang version >/dev/null 2>&1
}
zigbuild_help="install cargo-zigbuild and zig:
    cargo install cargo-zigbuild --locked
    python3 -m pip install --user ziglang    # or put zig on PATH
then run this again."

# The highest GLIBC_x.y symbol version a Linux binary needs (empty for a static one).
glibc_needed() {
  if command -v objdump >/dev/null 2>&1; then
    objdump -T "$1" 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' || true
  else
    grep -ao 'GLIBC_[0-9][0-9.]*' "$1" || true
  fi | sed 's/^GLIBC_//' | sort -Vu | tail -n 1
}

# Build whichever binary was not given.
packages=()
[ -n "$binary" ] || packages+=(-p "$name" --bin "$name")
[ -n "$emulator_binary" ] || packages+=(-p "$emulator" --bin "$emulator")
if [ ${#packages[@]} -gt 0 ]; then
  target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
  started=$SECONDS
  if [ "$os" = linux ]; then
    case "$arch" in
      amd64) triple=x86_64-unknown-linux-gnu ;;
      arm64) triple=aarch64-unknown-linux-gnu ;;
      *) fail "no Rust target known for linux_$arch" ;;
    esac
    if have_zigbuild; then
      if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed | grep -qx "$triple"; then
        fail "the Rust standard library for $triple is not installed: rustup target add $triple"
      fi
      echo "==> cargo zigbuild --release --target $triple.$glibc_baseline ($name, $emulator $version, $platform)"
      cargo zigbuild --quiet --release --target "$triple.$glibc_baseline" "${packages[@]}"
      built="$target_dir/$triple/release"
    elif [ "$portable" = 1 ]; then
      fail "a portable Linux build (glibc $glibc_baseline) needs cargo-zigbuild, which is not installed;
$zigbuild_help"
    elif [ "$platform" != "${host_os}_${host_arch}" ]; then
      fail "building for $platform on ${host_os}_${host_arch} needs cargo-zigbuild;
$zigbuild_help"
    else
      echo "release: warning: cargo-zigbuild is not installed; the binaries will need this machine's glibc ($(ldd --version 2>/dev/null | head -n 1 | grep -o '[0-9.]*$' || echo unknown)) or newer." >&2
      echo "==> cargo build --release ($name, $emulator $version, $platform)"
      cargo build --quiet --release "${packages[@]}"
      built="$target_dir/release"
    fi
  elif [ "$platform" = "${host_os}_${host_arch}" ]; then
    echo "==> cargo build --release ($name, $emulator $version, $platform)"
    cargo build --quiet --release "${packages[@]}"
    built="$target_dir/release"
  else
    fail "cannot build for $platform on ${host_os}_${host_arch}: build on a $os machine, or pass --binary and --emulator-binary"
  fi
  echo "    built in $((SECONDS - started)) s"
  [ -n "$binary" ] || binary="$built/$name"
  [ -n "$emulator_binary" ] || emulator_binary="$built/$emulator"
fi
for b in "$binary" "$emulator_binary"; do
  [ -f "$b" ] && [ -x "$b" ] || fail "$b is not an executable"
done

# The glibc each Linux binary needs; --portable refuses anything above the baseline.
if [ "$os" = linux ]; then
  for b in "$binary" "$emulator_binary"; do
    needs=$(glibc_needed "$b")
    echo "    $(basename "$b") needs glibc ${needs:-(none: static)}"
    if [ "$portable" = 1 ] && [ -n "$needs" ] &&
      [ "$(printf '%s\n' "$needs" "$glibc_baseline" | sort -V | tail -n 1)" != "$glibc_baseline" ]; then
      fail "$b needs glibc $needs, newer than the release baseline $glibc_baseline"
    fi
  done
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/entra-release.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# pack SOURCE ENTRY ZIP: a zip in $out holding SOURCE as ENTRY (mode 0755).
pack() {
  local dir="$stage/$3"
  mkdir -p "$dir"
  cp "$1" "$dir/$2"
  chmod 0755 "$dir/$2"
  touch -d "@${SOURCE_DATE_EPOCH:-315532800}" "$dir/$2"
  rm -f "$out/$3"
  if command -v zip >/dev/null 2>&1; then
    (cd "$dir" && zip -q -X "-$level" "$out/$3" "$2")
  else
    python3 - "$dir/$2" "$out/$3" "$level" <<'PY'
import os, sys, time, zipfile
src, dst, level = sys.argv[1], sys.argv[2], int(sys.argv[3])
info = zipfile.ZipInfo(os.path.basename(src), time.gmtime(os.path.getmtime(src))[:6])
info.external_attr = 0o100755 << 16
info.compress_type = zipfile.ZIP_DEFLATED
with open(src, "rb") as f, zipfile.ZipFile(dst, "w") as z:
    z.writestr(info, f.read(), compresslevel=level)
PY
  fi
}

# The registry's naming: the binary inside the zip is terraform-provider-entra_v{VERSION}.
zip_name="${name}_${version}_${platform}.zip"
pack "$binary" "${name}_v${version}" "$zip_name"
# The emulator: entra-emulator inside, the same naming otherwise.
pack "$emulator_binary" "$emulator" "${emulator}_${version}_${platform}.zip"

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
sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }
(
  cd "$out"
  shopt -s nullglob
  files=("${name}_${version}"_*.zip "${emulator}_${version}"_*.zip "$manifest")
  printf '%s\n' "${files[@]}" | sort | while IFS= read -r file; do sha256 "$file"; done >"$sums"
)

mirror="$out/mirror/registry.terraform.io/entra-au/entra"
mkdir -p "$mirror"
cp "$out/$zip_name" "$mirror/$zip_name"

echo "==> $out"
(cd "$out" && cat "$sums")
echo "Install through a filesystem mirror: provider_installation { filesystem_mirror { path = \"$out/mirror\" } }"
