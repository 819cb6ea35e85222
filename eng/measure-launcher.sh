#!/usr/bin/env bash
# The one-epoch Fashion-MNIST MLP and `descent grad` start-up: the installed Native AOT tool (which execs its
# x86-64-v4 build on an AVX-512 CPU), the same tool kept on x86-64-v3 (DOTNET_EnableAVX512=0) and the portable JIT
# package, alternated, with the load average (docs/packaging.md). Needs the packages in artifacts/packages (eng/pack.sh)
# and the Fashion-MNIST files (apt-get install dataset-fashion-mnist). About 1-2 minutes on a quiet 2-core machine.
#   eng/measure-launcher.sh [--runs N] [--epochs-runs M]     (defaults 20 and 5)
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export NUGET_PACKAGES="$work/nuget"
dotnet tool install Descent.Cli --version "$version" --tool-path "$work/tools" --add-source artifacts/packages >/dev/null
unzip -q "artifacts/packages/Descent.Cli.any.$version.nupkg" -d "$work/any"
portable=$(find "$work/any/tools" -name Descent.Cli.dll | head -n 1)
"$work/tools/descent" grad "x^2" --at x=3 >/dev/null   # the first start unpacks the x86-64-v4 executable
cd "$work" && python3 "$OLDPWD/eng/measure-startup.py" --launcher "$work/tools/descent" "$portable" "$@"
