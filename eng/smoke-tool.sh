#!/usr/bin/env bash
# Installs the descent tool from the local feed (artifacts/packages, made by eng/pack.sh) into a temporary tool path,
# as a user would, and runs grad, fit and demo through the installed command. Checks the answers, not just exit codes.
#   eng/smoke-tool.sh            the tool as `dotnet tool install` picks it on this machine (the Native AOT package here)
#   eng/smoke-tool.sh --portable the framework-dependent fallback (Descent.Cli.any), through a pointer that lists only it
set -euo pipefail
cd "$(dirname "$0")/.."
feed="$PWD/artifacts/packages"
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# A private package cache: a package repacked under the same version is never taken from ~/.nuget/packages.
export NUGET_PACKAGES="$work/nuget"
kind=native
if [ "${1:-}" = "--portable" ]; then
  kind=portable
  mkdir "$work/feed"
  cp "$feed/Descent.Cli.any.$version.nupkg" "$work/feed/"
  # The pointer package with only its 'any' entry left, so `dotnet tool install` takes the fallback on this machine too.
  python3 - "$feed/Descent.Cli.$version.nupkg" "$work/feed/Descent.Cli.$version.nupkg" <<'PY'
import re, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as dst:
    for item in src.infolist():
        data = src.read(item.filename)
        if item.filename.endswith("DotnetToolSettings.xml"):
            data = re.sub(rb'\s*<RuntimeIdentifierPackage RuntimeIdentifier="(?!any")[^"]*"[^>]*/>', b"", data)
        dst.writestr(item, data)
PY
  feed="$work/feed"
fi

dotnet tool install Descent.Cli --version "$version" --tool-path "$work/tools" --add-source "$feed" >/dev/null
descent="$work/tools/descent"
echo "smoke ($kind): installed $(readlink "$descent" || echo "$descent")"
fail() { echo "smoke ($kind): FAILED: $*" >&2; exit 1; }

out=$("$descent" grad "x^2" --at x=3 --json | tr -d ' \n') || fail "descent grad exited $?"
grep -q '"value":9,"gradient":{"x":6}' <<<"$out" || fail "descent grad x^2 at x=3: expected f=9, df/dx=6, got: $out"

out=$("$descent" fit --json | tr -d ' \n') || fail "descent fit exited $?"
# The built-in linear regression, 5000 epochs (README's `descent fit`): the JIT build's float64 bits, exactly.
grep -q '"weight":\[\[0.5001549665223101\]\],"bias":\[4.999179855406462\]' <<<"$out" \
  || fail "descent fit: expected weight 0.5001549665223101, bias 4.999179855406462 (the JIT build's result), got: ${out:0:300}"

( cd "$work" && "$descent" demo parabola --out "$work/demo" >/dev/null ) || fail "descent demo exited $?"
pngs=$(find "$work/demo" -name '*.png' | wc -l)
[ "$pngs" -gt 0 ] || fail "descent demo wrote no figure"
for png in "$work/demo"/*.png; do
  head -c 8 "$png" | od -An -tx1 | grep -q '89 50 4e 47' || fail "$png is not a PNG"
done
echo "smoke ($kind): grad, fit and demo ($pngs figures) OK"

# Which build runs (descent info): the Native AOT linux-x64 package starts its launcher, which unpacks and execs the
# x86-64-v4 build where the CPU and OS support AVX-512 and the x86-64-v3 one elsewhere (docs/packaging.md);
# DOTNET_EnableAVX512=0 keeps it on v3.
info() { "$descent" info --json | sed -n "s/^ *\"$1\": \"\(.*\)\",\{0,1\}$/\1/p"; }
build=$(info build); kernels=$(info kernels)
echo "smoke ($kind): descent info: $build, kernels $kernels ($(info build_choice))"
if [ "$kind" = portable ]; then
  [ "$build" = JIT ] || fail "the portable package runs '$build', expected JIT"
elif [ "$(uname -m)" = x86_64 ] && [ "$(uname -s)" = Linux ]; then
  avx512=1
  for flag in avx512f avx512bw avx512cd avx512dq avx512vl; do grep -m1 '^flags' /proc/cpuinfo | grep -qw "$flag" || avx512=0; done
  if [ "$avx512" = 1 ]; then
    [ "$build" = "Native AOT x86-64-v4" ] && [ "$kernels" = AVX-512 ] \
      || fail "AVX-512 CPU: expected the x86-64-v4 executable and AVX-512 kernels, got '$build', '$kernels'"
    [ -x "$(dirname "$(readlink -f "$descent")")/Descent.Cli.x86-64-v4" ] || fail "the x86-64-v4 executable was not unpacked"
  else
    [ "$build" = "Native AOT x86-64-v3" ] || fail "CPU without AVX-512: expected the x86-64-v3 executable, got '$build'"
    echo "smoke ($kind): this CPU has no AVX-512: the x86-64-v4 executable is not exercised here"
  fi
  build=$(DOTNET_EnableAVX512=0 info build); kernels=$(DOTNET_EnableAVX512=0 info kernels)
  [ "$build" = "Native AOT x86-64-v3" ] && [ "$kernels" = AVX2+FMA ] \
    || fail "DOTNET_EnableAVX512=0: expected the x86-64-v3 executable and AVX2 kernels, got '$build', '$kernels'"
  # Through the exec: the exit code of a bad expression (3) and a stop signal (SIGTERM: the run stops cleanly, exit 5).
  set +e; "$descent" grad "x^" --at x=1 >/dev/null 2>&1; code=$?; set -e
  [ "$code" = 3 ] || fail "descent grad with a bad expression exited $code, expected 3"
  (cd "$work" && exec "$descent" fit --epochs 100000000 >/dev/null 2>&1) & pid=$!
  sleep 2; kill -TERM "$pid"; set +e; wait "$pid"; code=$?; set -e
  [ "$code" = 5 ] || fail "descent fit stopped by SIGTERM exited $code, expected 5"
  echo "smoke ($kind): build choice, exit code and SIGTERM through the launcher OK"
  # A tool folder the user cannot write (an install by root into a shared tool path): the launcher unpacks into
  # ~/.cache/descent/<key>, the native libraries beside the build, and figures still work. As root, whom permissions do
  # not stop, a folder in the way of each build stands in for the read-only folder.
  tooldir=$(dirname "$(readlink -f "$descent")")
  if [ -f "$tooldir/Descent.Cli.payload" ]; then
    ro="$work/readonly"; mkdir "$ro"
    cp "$tooldir/Descent.Cli" "$tooldir"/*.br "$tooldir/Descent.Cli.payload" "$ro/"
    mkdir -p "$ro/Descent.Cli.x86-64-v3/x" "$ro/Descent.Cli.x86-64-v4/x"; chmod a-w "$ro"
    ( cd "$work" && HOME="$work/home" XDG_CACHE_HOME="" "$ro/Descent.Cli" demo parabola --out "$work/demo-cache" >/dev/null ) \
      || fail "descent demo from a read-only tool folder exited $?"
    chmod u+w "$ro"
    ls "$work/demo-cache"/*.png >/dev/null 2>&1 || fail "descent demo from a read-only tool folder wrote no figure"
    cached=$(ls -d "$work/home/.cache/descent"/*/ 2>/dev/null | head -n 1)
    [ -n "$cached" ] && [ -f "$cached/libSkiaSharp.so" ] || fail "nothing was unpacked into ~/.cache/descent"
    echo "smoke ($kind): read-only tool folder: unpacked into ~/.cache/descent/$(basename "$cached") and drew figures OK"
  fi
fi
