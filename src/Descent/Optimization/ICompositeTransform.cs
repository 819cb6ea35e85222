using System.Numerics;

namespace Descent.Optimization;

/// <summary>A transform built from other transforms (a chain or a wrapper), so that tools can walk the tree.</summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public interface ICompositeTransform<T> : IGradientTransform<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The transforms this one is made of, in the order they run.</summary>
    IReadOnlyList<IGradientTransform<T>> Inner { get; }
}
