using Descent.Kernels;

namespace Descent.Benchmarks;

/// <summary>
/// The workloads shared by the BenchmarkDotNet suites and the <c>compare</c> mode, each through Descent's autodiff and,
/// where it makes sense, hand-written in plain C# as the floor that any library overhead is measured against.
/// </summary>
public static class Workloads
{
    /// <summary>One gradient-descent step on L(w) = w² through autodiff (the reference step).</summary>
    public sealed class ParabolaStep
    {
        private readonly Tensor<double> _w = Tensor.Scalar(10.0).WithGrad();

        /// <summary>Runs one step and returns the new w.</summary>
        public double Step()
        {
            var w = _w;
            var loss = w * w;
            loss.Backward();
            w.SubtractInPlace(w.Grad!, 0.3);
            w.ZeroGrad();
            // w shrinks by 0.4 per step: restart before it reaches subnormal numbers, which are slow on any CPU.
            if (Math.Abs(w.Data[0]) < 1e-100) w.Data[0] = 10.0;
            return w.Data[0];
        }
    }

    /// <summary>The same step written by hand: w -= lr·2w.</summary>
    public sealed class ParabolaStepHand
    {
        private double _w = 10.0;

        /// <summary>Runs one step and returns the new w.</summary>
        public double Step()
        {
            _w -= 0.3 * (2 * _w);
            if (Math.Abs(_w) < 1e-100) _w = 10.0;
            return _w;
        }
    }

    /// <summary>The reference data set of the linear-regression descent (7 points on y = 5 + x/2).</summary>
    public static readonly double[] X = [1, 2, 3, 4, 5, 6, 8];

    /// <summary>Targets for <see cref="X"/>.</summary>
    public static readonly double[] Y = [5.5, 6, 6.5, 7, 7.5, 8, 9];

    /// <summary>One epoch of the reference linear regression, loss (1/2m)Σ(w0 + w1·x − y)², through autodiff.</summary>
    public sealed class LinearRegressionEpoch
    {
        private readonly Tensor<double> _x = Tensor.FromArray((double[])X.Clone());
        private readonly Tensor<double> _y = Tensor.FromArray((double[])Y.Clone());
        private readonly Tensor<double> _w0 = Tensor.Scalar(0.0).WithGrad();
        private readonly Tensor<double> _w1 = Tensor.Scalar(0.0).WithGrad();

        /// <summary>Runs one epoch and returns the loss.</summary>
        public double Epoch()
        {
            double m = _x.Size;
            var residual = _w0 + _w1 * _x - _y;
            var loss = residual.Square().Sum() / (2 * m);
            loss.Backward();
            _w0.SubtractInPlace(_w0.Grad!, 8e-3);
            _w1.SubtractInPlace(_w1.Grad!, 8e-3);
            _w0.ZeroGrad();
            _w1.ZeroGrad();
            return loss.Item();
        }
    }

    /// <summary>The same epoch with hand-derived gradients.</summary>
    public sealed class LinearRegressionEpochHand
    {
        private double _w0, _w1;

        /// <summary>Runs one epoch and returns the loss.</summary>
        public double Epoch()
        {
            var x = X;
            var y = Y;
            int m = x.Length;
            double g0 = 0, g1 = 0, loss = 0;
            for (int i = 0; i < m; i++)
            {
                double r = _w0 + _w1 * x[i] - y[i];
                loss += r * r;
                g0 += r;
                g1 += r * x[i];
            }
            _w0 -= 8e-3 * g0 / m;
            _w1 -= 8e-3 * g1 / m;
            return loss / (2 * m);
        }
    }

    /// <summary>
    /// One training step of a 784-128-10 MLP (ReLU, log-softmax cross-entropy against one-hot targets) on a batch,
    /// in float32: forward, backward, SGD update, zeroing of the gradients.
    /// </summary>
    public sealed class MlpStep
    {
        private readonly Tensor<float> _x, _onehot, _w1, _b1, _w2, _b2;
        private readonly float _lr = 0.01f;
        private readonly int _batch;

        /// <summary>Creates the model and a fixed random batch.</summary>
        public MlpStep(int batch = 64, int inputs = 784, int hidden = 128, int classes = 10)
        {
            _batch = batch;
            _x = Tensor.RandomUniform<float>([batch, inputs], 1);
            var onehot = new float[batch * classes];
            var rng = new Random(2);
            for (int i = 0; i < batch; i++) onehot[i * classes + rng.Next(classes)] = 1;
            _onehot = Tensor.FromArray(onehot, batch, classes);
            _w1 = Tensor.RandomNormal<float>([inputs, hidden], 3, 0, Math.Sqrt(2.0 / inputs)).WithGrad();
            _b1 = Tensor.Zeros<float>(hidden).WithGrad();
            _w2 = Tensor.RandomNormal<float>([hidden, classes], 4, 0, Math.Sqrt(2.0 / hidden)).WithGrad();
            _b2 = Tensor.Zeros<float>(classes).WithGrad();
        }

        /// <summary>Runs one step and returns the loss.</summary>
        public float Step()
        {
            var h = (_x.MatMul(_w1) + _b1).Relu();
            var logits = h.MatMul(_w2) + _b2;
            var loss = (logits.LogSoftmax(-1) * _onehot).Sum() * (-1f / _batch);
            loss.Backward();
            foreach (var p in (ReadOnlySpan<Tensor<float>>)[_w1, _b1, _w2, _b2])
            {
                p.SubtractInPlace(p.Grad!, _lr);
                p.ZeroGrad();
            }
            return loss.Item();
        }
    }

    /// <summary>C = A·B on square float or double matrices through the GEMM kernel (no allocation per call).</summary>
    public sealed class Matmul<T> where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        private readonly T[] _a, _b, _c;
        private readonly int _n;

        /// <summary>Creates random n×n operands.</summary>
        public Matmul(int n)
        {
            _n = n;
            _a = Tensor.RandomUniform<T>([n, n], 1, -1, 1).ToArray();
            _b = Tensor.RandomUniform<T>([n, n], 2, -1, 1).ToArray();
            _c = new T[n * n];
        }

        /// <summary>Floating-point operations of one product (2n³).</summary>
        public double Flops => 2.0 * _n * _n * _n;

        /// <summary>Multiplies.</summary>
        public void Run() => Gemm.Multiply(_a, 0, _b, 0, _c, 0, _n, _n, _n);
    }

    /// <summary>
    /// A product through the public tensor API, <c>a.MatMul(b)</c> (the result allocated per call, as a user's code
    /// does): the <c>*_matmul</c> workloads beside the kernel-level <c>sgemm_*</c>/<c>dgemm_*</c>/<c>mm_*</c> ones.
    /// </summary>
    public sealed class TensorMatmul<T> where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        private readonly Tensor<T> _a, _b;

        /// <summary>Random operands A m×k and B k×n.</summary>
        public TensorMatmul(int m, int k, int n)
        {
            _a = Tensor.RandomUniform<T>([m, k], 1, -1, 1);
            _b = Tensor.RandomUniform<T>([k, n], 2, -1, 1);
        }

        /// <summary>Multiplies.</summary>
        public void Run() => GC.KeepAlive(_a.MatMul(_b));

        /// <summary>Multiplies inside a <see cref="TensorScope"/>: the result's array comes back from the pool.</summary>
        public void RunScoped()
        {
            using var _ = new TensorScope();
            GC.KeepAlive(_a.MatMul(_b));
        }

        private Tensor<T>? _into;

        /// <summary>Multiplies into one destination reused by every call (NumPy's <c>matmul(out=)</c>, as the peer runs).</summary>
        public void RunInto() => _a.MatMulInto(_b, _into ??= Tensor.Zeros<T>(_a.Shape[0], _b.Shape[1]));
    }

    /// <summary>
    /// The float32 products of one MLP (784-128-10, batch 64) and softmax-regression step, by name (the <c>mm_*</c>
    /// workloads): (m, k, n, A stored transposed, B stored transposed), as MatMul's forward and backward call them.
    /// </summary>
    public static readonly (string Name, int M, int K, int N, bool TransA, bool TransB)[] MlpGemmShapes =
    [
        ("mm_x_w1", 64, 784, 128, false, false),   // X·W1
        ("mm_xT_g1", 784, 64, 128, true, false),   // Xᵀ·G1 (W1's gradient)
        ("mm_h_w2", 64, 128, 10, false, false),    // H·W2
        ("mm_hT_g2", 128, 64, 10, true, false),    // Hᵀ·G2 (W2's gradient)
        ("mm_g2_w2T", 64, 10, 128, false, true),   // G2·W2ᵀ (H's gradient)
        ("mm_x_w", 64, 784, 10, false, false),     // softmax regression X·W
        ("mm_xT_g", 784, 64, 10, true, false),     // its gradient Xᵀ·G
    ];

    /// <summary>One product C = op(A)·op(B) of a fixed shape on random operands.</summary>
    public sealed class GemmShape
    {
        private readonly float[] _a, _b, _c;
        private readonly int _m, _k, _n;
        private readonly bool _ta, _tb;

        /// <summary>Creates random operands: A m×k (k×m when <paramref name="transA"/>), B k×n (n×k when <paramref name="transB"/>).</summary>
        public GemmShape(int m, int k, int n, bool transA, bool transB)
        {
            (_m, _k, _n, _ta, _tb) = (m, k, n, transA, transB);
            _a = Tensor.RandomUniform<float>([m * k], 1, -1, 1).ToArray();
            _b = Tensor.RandomUniform<float>([k * n], 2, -1, 1).ToArray();
            _c = new float[m * n];
        }

        /// <summary>Multiplies.</summary>
        public void Run() => Gemm.Multiply(_a, 0, _ta, _b, 0, _tb, _c, 0, _m, _k, _n);
    }
}
