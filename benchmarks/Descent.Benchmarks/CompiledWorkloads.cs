using Descent.Autodiff;

namespace Descent.Benchmarks;

/// <summary>
/// The small reference workloads of <see cref="Workloads"/> through <see cref="Autograd.Compile{T}(Func{Tensor{T}})"/>:
/// the loss is traced once and each step runs the compiled value + gradient + update program.
/// </summary>
public static class CompiledWorkloads
{
    /// <summary>One gradient-descent step on L(w) = w², compiled.</summary>
    public sealed class ParabolaStep
    {
        private readonly Tensor<double> _w = Tensor.Scalar(10.0).WithGrad();
        private readonly CompiledGradient<double> _step;

        /// <summary>Traces and compiles the loss.</summary>
        public ParabolaStep()
        {
            var w = _w;
            _step = Autograd.Compile(() => w * w);
        }

        /// <summary>Runs one step and returns the new w.</summary>
        public double Step()
        {
            _step.Step(0.3);
            var data = _w.Data;
            // As the eager workload: restart before w reaches subnormal numbers.
            if (Math.Abs(data[0]) < 1e-100) data[0] = 10.0;
            return data[0];
        }
    }

    /// <summary>One epoch of the reference linear regression, loss (1/2m)Σ(w0 + w1·x − y)², compiled.</summary>
    public sealed class LinearRegressionEpoch
    {
        private readonly CompiledGradient<double> _step;

        /// <summary>Traces and compiles the loss.</summary>
        public LinearRegressionEpoch()
        {
            var x = Tensor.FromArray((double[])Workloads.X.Clone());
            var y = Tensor.FromArray((double[])Workloads.Y.Clone());
            var w0 = Tensor.Scalar(0.0).WithGrad();
            var w1 = Tensor.Scalar(0.0).WithGrad();
            double m = x.Size;
            _step = Autograd.Compile(() => (w0 + w1 * x - y).Square().Sum() / (2 * m));
        }

        /// <summary>Runs one epoch and returns the loss.</summary>
        public double Epoch() => _step.Step(8e-3);
    }
}
