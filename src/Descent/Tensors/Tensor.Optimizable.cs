using Descent.Optimization;

namespace Descent;

// The adapter that lets any tensor be a parameter of an Optimizer: its data are the values, its gradient the gradient.
public sealed partial class Tensor<T> : IOptimizable<T>
{
    int IOptimizable<T>.Size => Size;

    Span<T> IOptimizable<T>.Values => Buffer;

    ReadOnlySpan<T> IOptimizable<T>.Gradient => Grad is null ? ReadOnlySpan<T>.Empty : Grad.Buffer;
}
