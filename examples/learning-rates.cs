#:project ../src/Descent/Descent.csproj
#:property PublishAot=false
// The learning-rate study: the same descent of w² with rates over orders of magnitude.
using Descent;
using Descent.Optimization;
using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

foreach (double lr in new[] { 0.001, 0.01, 0.1, 1.0, 1.01 })
{
    var r = Minimizer.Minimize(w => w.Square().Sum(), [10.0], Optimizers.GradientDescent<double>(lr), new MaxSteps(1000));
    Console.WriteLine($"learning rate {lr,-6}: {r.Behaviour.ToString().ToLowerInvariant()}, f = {r.Value:G4} after {r.StopReason.Step} steps");
}
