#!/usr/bin/env bash
# The release archive ships the SBOM (ASVS V15.1.2): builds it with cpack into a temp dir, unpacks it,
# and checks that it holds the static binary and an SBOM identical to what that binary embeds.
#   tests/package/run.sh BUILD_DIR
set -euo pipefail
build=$(realpath -- "${1:?usage: run.sh BUILD_DIR}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cpack --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log" >&2; exit 1; }
archives=("$work"/out/airlock-*-linux-*.tar.gz)
[ -f "${archives[0]}" ] || { echo "package: no archive made" >&2; ls -R "$work/out" >&2; exit 1; }
mkdir "$work/x"
tar -xzf "${archives[0]}" -C "$work/x"
root=$(find "$work/x" -mindepth 1 -maxdepth 1 -type d)
for f in bin/airlock share/doc/airlock/airlock.cdx.json share/doc/airlock/README.md share/doc/airlock/SECURITY.md; do
  [ -f "$root/$f" ] || { echo "package: $f is missing" >&2; exit 1; }
done
file "$root/bin/airlock" | grep -q "statically linked" || { echo "package: the binary is not static" >&2; exit 1; }
"$root/bin/airlock" version --sbom >"$work/embedded.json"
cmp -s "$work/embedded.json" "$root/share/doc/airlock/airlock.cdx.json" ||
  { echo "package: the shipped SBOM differs from the one the binary embeds" >&2; exit 1; }
grep -q '"bomFormat": *"CycloneDX"' "$root/share/doc/airlock/airlock.cdx.json" ||
  { echo "package: the SBOM is not CycloneDX" >&2; exit 1; }
echo "package: $(basename "${archives[0]}") ships bin/airlock and its SBOM"
