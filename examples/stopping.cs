#:project ../src/Descent/Descent.csproj
#:property PublishAot=false
// The stopping condition: stop when the gradient is small, with a step budget as a safety net.
using Descent;
using Descent.Optimization;
using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

var r = Minimizer.Minimize(w => w.Square().Sum(), [10.0], Optimizers.GradientDescent<double>(0.01),
    new AnyOf(new GradientNormBelow(1e-6), new MaxSteps(100_000)));
Console.WriteLine($"stopped at step {r.StopReason.Step}: {r.StopReason.Message}");
