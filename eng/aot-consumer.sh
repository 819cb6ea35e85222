#!/usr/bin/env bash
# A fresh console app, outside this repository, consumes the Descent package from the local feed (artifacts/packages,
# made by eng/pack.sh) and publishes with Native AOT: the publish must show zero warnings (trim, AOT, anything), and the
# native program must print the README's numbers. Proves the library is trim- and AOT-clean for its users.
set -euo pipefail
cd "$(dirname "$0")/.."
feed="$PWD/artifacts/packages"
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) rid=linux-x64 ;; Linux-aarch64) rid=linux-arm64 ;; Darwin-arm64) rid=osx-arm64 ;; Darwin-x86_64) rid=osx-x64 ;;
  *) echo "aot-consumer: no Native AOT RID known for $(uname -s)-$(uname -m)" >&2; exit 3 ;;
esac
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# A private package cache, so the freshly packed Descent is used even if ~/.nuget/packages holds an older one with
# the same version; the global cache serves as a read-only feed for everything else (no download when it is warm).
export NUGET_PACKAGES="$work/nuget"
global="${HOME}/.nuget/packages"
{
  echo '<?xml version="1.0" encoding="utf-8"?><configuration><packageSources><clear />'
  echo "<add key=\"local\" value=\"$feed\" />"
  [ -d "$global" ] && echo "<add key=\"cache\" value=\"$global\" />"
  echo '<add key="nuget.org" value="https://api.nuget.org/v3/index.json" /></packageSources></configuration>'
} > "$work/nuget.config"
cat > "$work/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <PublishAot>true</PublishAot>
    <InvariantGlobalization>true</InvariantGlobalization>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Descent" Version="$version" />
  </ItemGroup>
</Project>
XML
cat > "$work/Program.cs" <<'CS'
using System.Globalization;
using Descent;
using Descent.Differentiation;
using Descent.Differentiation.Expressions;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;
using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

// README's three examples, in a Native AOT program.
var w = Tensor.Scalar(10.0).WithGrad();
for (int step = 0; step < 5; step++)
{
    var loss = w * w;
    loss.Backward();
    w.SubtractInPlace(w.Grad!, 0.3);
    w.ZeroGrad();
}
Console.WriteLine("w=" + w.Item().ToString("R", CultureInfo.InvariantCulture));

var f = TensorBackend.ToFunction(Expr.Parse("2*w1^2 + 3*w2^2"));
var result = Minimizer.Minimize(f, [2.0, 4.0], Optimizers.GradientDescent<double>(0.1), new MaxSteps(5));
Console.WriteLine("min=" + string.Join(",", result.Point.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));

var data = SyntheticData.SeedLinear();
var model = new LinearRegression<double>(seed: 1);
var trainer = new Trainer<double>(model, (p, y) => Loss.HalfMeanSquaredError(p, y),
    Optimizers.GradientDescent<double>(8e-3), new TrainerOptions { Epochs = 5000 });
trainer.Fit(DataLoader<double>.FullBatch(data));
Console.WriteLine("fit=" + model.Weight.ToArray()[0].ToString("R", CultureInfo.InvariantCulture) + "," + model.Bias.ToArray()[0].ToString("R", CultureInfo.InvariantCulture));
CS
cd "$work"
t0=$SECONDS
dotnet publish -c Release -r "$rid" -nologo -o "$work/out" > "$work/publish.log" 2>&1 || { cat "$work/publish.log"; echo "aot-consumer: FAILED: publish"; exit 1; }
warnings=$(grep -E ': warning [A-Z]+[0-9]+' "$work/publish.log" | sort -u || true)
if [ -n "$warnings" ]; then echo "$warnings"; echo "aot-consumer: FAILED: the Native AOT publish warned"; exit 1; fi
out=$("$work/out/Consumer")
echo "$out"
# The same program under the JIT: Native AOT must give the same float64 bits.
dotnet build -c Release -nologo -v:q -p:PublishAot=false -o "$work/jit" > "$work/build.log" 2>&1 || { cat "$work/build.log"; echo "aot-consumer: FAILED: JIT build"; exit 1; }
jit=$(dotnet "$work/jit/Consumer.dll")
[ "$out" = "$jit" ] || { echo "$jit"; echo "aot-consumer: FAILED: the JIT build printed something else (above)"; exit 1; }
# And README's numbers: w 10 → 0.1024 after five steps of lr 0.3; (2,4) → (0.15552, 0.04096); the fit near w=0.5, b=5.
python3 - "$out" <<'PY'
import sys
v = dict(line.split("=", 1) for line in sys.argv[1].splitlines())
w = float(v["w"]); m = [float(x) for x in v["min"].split(",")]; fw, fb = (float(x) for x in v["fit"].split(","))
ok = abs(w - 0.1024) < 1e-12 and abs(m[0] - 0.15552) < 1e-12 and abs(m[1] - 0.04096) < 1e-12 and abs(fw - 0.5) < 2e-3 and abs(fb - 5) < 2e-3
sys.exit(0 if ok else "aot-consumer: FAILED: not README's numbers")
PY
echo "aot-consumer: Descent $version from the local feed, Native AOT ($rid) publish in $((SECONDS - t0)) s with zero warnings; same bits as the JIT build"
