#:project ../src/Descent/Descent.csproj
#:property PublishAot=false
// The reference linear regression (y = 0.5·x + 5, half-MSE, learning rate 8e-3, 5000 epochs), once with the eager
// engine (a graph recorded every epoch, then loss.Backward()) and once compiled: Autograd.Compile traces the loss once
// and turns it into an allocation-free program for value + gradient + update. Same numbers, bit for bit; much faster.
using System.Diagnostics;
using Descent;

double[] xs = [1, 2, 3, 4, 5, 6, 8], ys = [5.5, 6, 6.5, 7, 7.5, 8, 9];
var x = Tensor.FromArray(xs);
var y = Tensor.FromArray(ys);
double m = x.Size;

// Eager.
var w0 = Tensor.Scalar(0.0).WithGrad();
var w1 = Tensor.Scalar(0.0).WithGrad();
var clock = Stopwatch.StartNew();
for (int epoch = 0; epoch < 5000; epoch++)
{
    var loss = (w0 + w1 * x - y).Square().Sum() / (2 * m);
    loss.Backward();
    w0.SubtractInPlace(w0.Grad!, 8e-3);
    w1.SubtractInPlace(w1.Grad!, 8e-3);
    w0.ZeroGrad();
    w1.ZeroGrad();
}
double eagerSeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"eager:    w0 = {w0.Item():F4}, w1 = {w1.Item():F4}");

// Compiled: x and y are bound by reference (writing new data into them is seen by the next call).
var c0 = Tensor.Scalar(0.0).WithGrad();
var c1 = Tensor.Scalar(0.0).WithGrad();
clock.Restart();
var step = Autograd.Compile(() => (c0 + c1 * x - y).Square().Sum() / (2 * m));
double last = step.Step(8e-3);   // epoch 1; the first call compiles the program
double compileSeconds = clock.Elapsed.TotalSeconds;
clock.Restart();
for (int epoch = 1; epoch < 5000; epoch++) last = step.Step(8e-3);   // loss; c0.Grad, c1.Grad; c -= 8e-3·grad
double compiledSeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"compiled: w0 = {c0.Item():F4}, w1 = {c1.Item():F4}, loss {last:E3}");
Console.WriteLine($"identical to eager: {c0.Item() == w0.Item() && c1.Item() == w1.Item()}");
Console.WriteLine($"per epoch: eager {eagerSeconds / 5000 * 1e6:F2} µs, compiled {compiledSeconds / 4999 * 1e6:F3} µs (tracing and compiling: {compileSeconds * 1e3:F0} ms)");
