#:project ../src/Descent/Descent.csproj
#:property PublishAot=false
// Descent down the paraboloid f(w) = w1² + 10·w2²; the distance to the minimum shrinks by a constant factor per step.
using Descent;
using Descent.Optimization;
using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

var scale = Tensor.FromArray([1.0, 10.0]);
var result = Minimizer.Minimize(w => (w * scale * w).Sum(), [2.0, 4.0], Optimizers.GradientDescent<double>(0.09), new MaxSteps(100));
foreach (var t in result.Trajectory.Where(t => t.Step % 20 == 0))
    Console.WriteLine($"step {t.Step,3}: distance {Math.Sqrt(t.Point[0] * t.Point[0] + t.Point[1] * t.Point[1]):E3}");
Console.WriteLine($"final value: {result.Value:E3}");
