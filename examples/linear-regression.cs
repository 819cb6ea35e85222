#:project ../src/Descent/Descent.csproj
#:property PublishAot=false
// Linear regression on the reference data y = 0.5·x + 5, half-MSE, learning rate 8e-3, 5000 epochs:
// once with hand-derived gradients, once with automatic ones. Both reach w ≈ 0.5, b ≈ 5.
using Descent;

double[] xs = [1, 2, 3, 4, 5, 6, 8], ys = [5.5, 6, 6.5, 7, 7.5, 8, 9];
int n = xs.Length;

// By hand: L = 1/(2n) Σ (w·x + b − y)², ∂L/∂w = 1/n Σ (w·x + b − y)·x, ∂L/∂b = 1/n Σ (w·x + b − y).
double w = 0, b = 0;
for (int epoch = 0; epoch < 5000; epoch++)
{
    double gw = 0, gb = 0;
    for (int i = 0; i < n; i++) { double e = w * xs[i] + b - ys[i]; gw += e * xs[i] / n; gb += e / n; }
    w -= 8e-3 * gw;
    b -= 8e-3 * gb;
}
Console.WriteLine($"hand-derived: w = {w:F4}, b = {b:F4}");

// Automatic: the same loss as a tensor expression, the gradient from Backward().
var x = Tensor.FromArray(xs);
var y = Tensor.FromArray(ys);
var wt = Tensor.FromArray([0.0]).WithGrad();
var bt = Tensor.FromArray([0.0]).WithGrad();
for (int epoch = 0; epoch < 5000; epoch++)
{
    var loss = (x * wt + bt - y).Square().Mean() * 0.5;
    loss.Backward();
    wt.SubtractInPlace(wt.Grad!, 8e-3);
    bt.SubtractInPlace(bt.Grad!, 8e-3);
    wt.ZeroGrad();
    bt.ZeroGrad();
}
Console.WriteLine($"autodiff:     w = {wt.Data[0]:F4}, b = {bt.Data[0]:F4}");
