#!/usr/bin/env bash
# Packs src/Descent and builds a fresh console project (ImplicitUsings on, as 'dotnet new console' makes it) that
# references the package and runs README.md's library snippets with no 'using' line: the package's build/Descent.props
# gives the namespaces as global usings. Then checks that <DescentImplicitUsings>false</DescentImplicitUsings> turns them
# off. Offline: the package's dependencies come from the local NuGet cache. About 1 minute.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -n 1)
dotnet pack "$repo/src/Descent" -o "$work/feed" -v quiet -nologo >/dev/null
mkdir "$work/app"
cat > "$work/app/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><Nullable>enable</Nullable>
    <RestorePackagesPath>$work/packages</RestorePackagesPath>
  </PropertyGroup>
  <ItemGroup><PackageReference Include="Descent" Version="$version" /></ItemGroup>
</Project>
XML
cat > "$work/app/nuget.config" <<XML
<configuration>
  <packageSources><clear /><add key="feed" value="$work/feed" /><add key="cache" value="${NUGET_PACKAGES:-$HOME/.nuget/packages}" /></packageSources>
  <packageSourceMapping>
    <packageSource key="feed"><package pattern="Descent" /></packageSource>
    <packageSource key="cache"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML
cat > "$work/app/Program.cs" <<'CS'
var w = Tensor.Scalar(10.0).WithGrad();
for (int step = 0; step < 5; step++) { var l = w * w; l.Backward(); w.SubtractInPlace(w.Grad!, 0.3); w.ZeroGrad(); }
var f = TensorBackend.ToFunction(Expr.Parse("2*w1^2 + 3*w2^2"));
var result = Minimizer.Minimize(f, [2.0, 4.0], Optimizers.GradientDescent<double>(0.1), new MaxSteps(5));
var data = SyntheticData.SeedLinear();
var model = new LinearRegression<double>(seed: 1);
var trainer = new Trainer<double>(model, (p, y) => Loss.HalfMeanSquaredError(p, y),
    Optimizers.GradientDescent<double>(8e-3), new TrainerOptions { Epochs = 5000 });
var history = trainer.Fit(DataLoader<double>.FullBatch(data));
Console.WriteLine($"w={w.Item():R} point={string.Join(",", result.Point)} weight={model.Weight.Item():F3} bias={model.Bias.Item():F3} stop={history.StopReason!.Kind}");
CS
dotnet run --project "$work/app" -nologo -warnaserror
if dotnet build "$work/app" -nologo -p:DescentImplicitUsings=false >/dev/null 2>&1; then
  echo "FAIL: DescentImplicitUsings=false still compiled without using lines"; exit 1
fi
echo "ok: no using line needed; DescentImplicitUsings=false turns the global usings off"
