#!/usr/bin/env bash
# Packs every package into artifacts/packages (docs/packaging.md):
#   the libraries (Descent, Descent.Plotting, Descent.Tracking, Descent.Dashboard) with their .snupkg symbols,
#   the descent tool's pointer package (Descent.Cli), its portable framework-dependent package (Descent.Cli.any),
#   and the Native AOT package for this machine's RID when it is one of the four AOT RIDs (Descent.Cli.<rid>).
# Package validation runs in every pack; a warning fails it (-warnaserror).
# Options: --no-aot (skip the Native AOT package), --rid RID (build that AOT package instead of this machine's).
set -euo pipefail
cd "$(dirname "$0")/.."
aot=1; rid=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-aot) aot=0 ;;
    --rid) rid="$2"; shift ;;
    *) echo "pack.sh: unknown option '$1' (accepted: --no-aot, --rid RID)" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$rid" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) rid=linux-x64 ;; Linux-aarch64) rid=linux-arm64 ;;
    Darwin-arm64) rid=osx-arm64 ;; MINGW*-x86_64|MSYS*-x86_64|CYGWIN*-x86_64) rid=win-x64 ;;
    *) rid="" ;;
  esac
fi
out=artifacts/packages
rm -rf "$out"; mkdir -p "$out"
flags=(-c Release -warnaserror -nologo -clp:NoSummary)

t0=$SECONDS
for project in src/*/*.csproj; do dotnet pack "$project" "${flags[@]}"; done   # libraries + the tool's pointer package
dotnet pack src/Descent.Cli "${flags[@]}" -r any            # the portable fallback (PublishAot is off for 'any')
echo "pack: libraries, pointer and portable tool in $((SECONDS - t0)) s"
if [ "$aot" = 1 ] && [ -n "$rid" ]; then
  t1=$SECONDS
  cross=()
  # linux-arm64 on x64 Linux: cross-compiled (clang --target=aarch64-linux-gnu with Debian's gcc-aarch64-linux-gnu and
  # libc6-dev-arm64-cross); the symbols are stripped with the aarch64 objcopy (docs/packaging.md, eng/arm64-check.sh).
  [ "$rid" = linux-arm64 ] && [ "$(uname -m)" = x86_64 ] && cross=(-p:ObjCopyName=aarch64-linux-gnu-objcopy)
  dotnet pack src/Descent.Cli "${flags[@]}" -r "$rid" "${cross[@]}"   # Native AOT, for this platform only
  echo "pack: Native AOT tool for $rid in $((SECONDS - t1)) s"
fi
ls -l "$out"
