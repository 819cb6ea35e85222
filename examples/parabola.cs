#:project ../src/Descent/Descent.csproj
#:property PublishAot=false
// Gradient descent down the parabola f(w) = w², from w = 10 with learning rate 0.3: w ← w − 0.3·2w = 0.4·w.
using Descent;
using Descent.Optimization;
using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

var result = Minimizer.Minimize(w => w.Square().Sum(), [10.0], Optimizers.GradientDescent<double>(0.3), new MaxSteps(5));
Console.WriteLine("trajectory: " + string.Join(", ", result.Trajectory.Select(t => Math.Round(t.Point[0], 10))));
