#:project ../src/Descent/Descent.csproj
#:property PublishAot=false
// The four differentiation modes on one function: symbolic, forward (dual numbers), numerical, reverse (autodiff).
using Descent;
using Descent.Differentiation;
using Descent.Differentiation.Expressions;

var e = Expr.Parse("x^2 * sin(y)");
var point = new Dictionary<string, double> { ["x"] = 1.5, ["y"] = -2 };
Console.WriteLine($"symbolic: ∂f/∂x = {e.Differentiate("x").Simplify()} = {e.Differentiate("x").Evaluate(point):F10}");
Console.WriteLine($"forward:  ∂f/∂x = {ForwardMode.Gradient(e, point)["x"]:F10}");
Console.WriteLine($"numeric:  ∂f/∂x = {NumericalDifferences.Central(v => e.Evaluate(new Dictionary<string, double> { ["x"] = v, ["y"] = -2 }), 1.5):F10}");
var w = Tensor.FromArray([1.5, -2.0]).WithGrad();
TensorBackend.ToFunction(e, ["x", "y"])(w).Backward();
Console.WriteLine($"reverse:  ∂f/∂x = {w.Grad!.Data[0]:F10}");
