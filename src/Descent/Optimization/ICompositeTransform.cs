using System.Numerics;

namespace Descent.Optimization;

/// <summary>A transform built from other transforms (a chain or a wrapper), so that tools can walk the tree and its state.</summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public interface ICompositeTransform<T> : IGradientTransform<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The transforms this one is made of, in the order they run.</summary>
    IReadOnlyList<IGradientTransform<T>> Inner { get; }

    /// <summary>The states of <see cref="Inner"/>, in the same order, inside this transform's <paramref name="state"/>.</summary>
    /// <param name="state">A state made by this transform's <see cref="IGradientTransform{T}.Init"/>.</param>
    /// <returns>One state per inner transform.</returns>
    IReadOnlyList<ITransformState> InnerStates(ITransformState state);
}
