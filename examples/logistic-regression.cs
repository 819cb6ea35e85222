#:project ../src/Descent/Descent.csproj
#:property PublishAot=false
// Logistic regression from sub-blocks: u = x·w + b, p = σ(u), L = mean of −[y log p + (1 − y) log(1 − p)].
using Descent;
using Descent.Learning.Data;

var data = SyntheticData.Blobs(200, 2, 1.0, seed: 3);
var x = data.X;
var y = data.Y.Reshape(-1, 1);
var w = Tensor.Zeros<double>(2, 1).WithGrad();
var b = Tensor.Zeros<double>(1).WithGrad();
for (int epoch = 0; epoch < 300; epoch++)
{
    var u = x.MatMul(w) + b;          // the linear block
    var p = u.Sigmoid();              // the sigmoid block
    var loss = -(y * p.Log() + (1.0 - y) * (1.0 - p).Log()).Mean(); // the cross-entropy block
    loss.Backward();
    w.SubtractInPlace(w.Grad!, 0.5);
    b.SubtractInPlace(b.Grad!, 0.5);
    w.ZeroGrad();
    b.ZeroGrad();
}
var predicted = (x.MatMul(w) + b).Sigmoid().ToDoubleArray().Select(v => v > 0.5 ? 1.0 : 0.0);
double accuracy = predicted.Zip(data.Y.ToDoubleArray()).Average(t => t.First == t.Second ? 1.0 : 0.0);
Console.WriteLine($"accuracy: {accuracy:F3}");
