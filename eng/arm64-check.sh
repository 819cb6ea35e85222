#!/usr/bin/env bash
# The linux-arm64 Native AOT tool package, cross-compiled on an x64 Linux machine, and the Arm64 (AdvSimd) kernels,
# both run under qemu-user (docs/packaging.md):
#   1. eng/gemm-check published for linux-arm64 with Native AOT and run under qemu: every GEMM shape class in float and
#      double against a naive product, on the Vector128+FMA (NEON) kernels — the only way to run them on this machine;
#   2. `dotnet pack src/Descent.Cli -r linux-arm64` (Native AOT, cross-compiled), its executable run under qemu:
#      grad and a short fit, checked against the answers;
#   --no-pack: step 1 only.
# Needs clang, lld or the aarch64 binutils, an arm64 sysroot and qemu: apt-get install clang lld gcc-aarch64-linux-gnu
# libc6-dev-arm64-cross qemu-user-static (.ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
sysroot=/usr/aarch64-linux-gnu
for tool in clang aarch64-linux-gnu-ld aarch64-linux-gnu-objcopy qemu-aarch64-static; do
  command -v "$tool" >/dev/null 2>&1 || { echo "arm64-check: $tool is missing (apt-get install clang gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static)" >&2; exit 2; }
done
[ -f "$sysroot/lib/ld-linux-aarch64.so.1" ] || { echo "arm64-check: no arm64 sysroot in $sysroot (apt-get install libc6-dev-arm64-cross)" >&2; exit 2; }
fail() { echo "arm64-check: FAILED: $*" >&2; exit 1; }
# Cross-linking: clang targets aarch64-linux-gnu (ILC sets --target) and finds Debian's cross gcc/binutils in /usr;
# symbols are stripped with the aarch64 objcopy (the host's objcopy does not know arm64).
cross=(-r linux-arm64 -c Release -nologo -clp:NoSummary -warnaserror -p:ObjCopyName=aarch64-linux-gnu-objcopy)
run() { qemu-aarch64-static -L "$sysroot" "$@"; }

out=artifacts/arm64
rm -rf "$out"; mkdir -p "$out"
dotnet publish eng/gemm-check "${cross[@]}" -o "$out/gemm-check" >/dev/null
file "$out/gemm-check/gemm-check" | grep -q 'ARM aarch64' || fail "gemm-check is not an arm64 executable"
result=$(run "$out/gemm-check/gemm-check") || fail "gemm-check under qemu: $result"
echo "$result" | sed 's/^/arm64-check: /'
grep -q 'Arm64, gemm Vector128+FMA' <<<"$result" || fail "expected the Vector128+FMA (AdvSimd) kernels on arm64"
echo "arm64-check: kernels OK in $((SECONDS - t0)) s"

[ "${1:-}" = "--no-pack" ] && exit 0
t1=$SECONDS
dotnet pack src/Descent.Cli "${cross[@]}" >/dev/null
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
nupkg="artifacts/packages/Descent.Cli.linux-arm64.$version.nupkg"
[ -f "$nupkg" ] || fail "no $nupkg"
unzip -q -o "$nupkg" -d "$out/tool"
descent="$out/tool/tools/any/linux-arm64/Descent.Cli"
chmod +x "$descent"   # a .nupkg (zip) keeps no file modes; `dotnet tool install` sets this bit itself
file "$descent" | grep -q 'ARM aarch64' || fail "$descent is not an arm64 executable"
! unzip -l "$nupkg" | grep -qE '\.(dbg|pdb)$' || fail "$nupkg carries symbols"
echo "arm64-check: $(basename "$nupkg") is $(( $(stat -c %s "$nupkg") / 1024 )) KiB"
got=$(run "$descent" grad "x^2" --at x=3 --json | tr -d ' \n')
grep -q '"value":9,"gradient":{"x":6}' <<<"$got" || fail "grad x^2 at x=3 under qemu: $got"
# README's `descent fit` (the built-in regression, 5000 epochs): x64 gives weight 0.5001549665223101, bias 4.999179855406462.
got=$(cd "$out" && run "$PWD/tool/tools/any/linux-arm64/Descent.Cli" fit --json | tr -d ' \n')
grep -q '"weight":\[\[0\.500154966' <<<"$got" && grep -q '"bias":\[4\.99917985' <<<"$got" || fail "fit under qemu: ${got:0:300}"
if grep -q '"weight":\[\[0.5001549665223101\]\],"bias":\[4.999179855406462\]' <<<"$got"; then
  echo "arm64-check: fit gives the x64 build's float64 bits exactly"
else
  echo "arm64-check: fit agrees with x64 to 9 digits, not bit for bit: ${got:0:160}"
fi
run "$descent" info | sed 's/^/arm64-check: /'
echo "arm64-check: linux-arm64 tool (grad, fit, info under qemu) OK in $((SECONDS - t1)) s"
