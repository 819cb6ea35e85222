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
