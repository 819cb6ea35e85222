#!/usr/bin/env bash
# Records the API baseline that package validation compares every pack against (docs/packaging.md, "API baseline"):
# the library packages of the current build (run eng/pack.sh first), reduced to what API comparison reads (the nuspec
# and lib/**/*.dll), as eng/api-baseline/<id>.<version>.nupkg. Run it when a version is released, and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-$(sed -n 's:.*<DescentApiBaselineVersion>\(.*\)</DescentApiBaselineVersion>.*:\1:p' eng/Packaging.targets | head -n 1)}"
mkdir -p eng/api-baseline
for id in Descent Descent.Plotting Descent.Tracking Descent.Dashboard Descent.Interop; do
  src="artifacts/packages/$id.$version.nupkg"
  [ -f "$src" ] || { echo "update-api-baseline: $src not found; run eng/pack.sh first (Version in Directory.Build.props must be $version)" >&2; exit 3; }
  python3 - "$src" "eng/api-baseline/$id.$version.nupkg" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as dst:
    for item in src.infolist():
        name = item.filename
        if name.endswith(".nuspec") or name in ("[Content_Types].xml", "_rels/.rels") or (name.startswith("lib/") and name.endswith(".dll")):
            dst.writestr(item, src.read(name))
PY
  echo "update-api-baseline: eng/api-baseline/$id.$version.nupkg"
done
