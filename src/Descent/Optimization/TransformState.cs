namespace Descent.Optimization;

/// <summary>
/// The explicit, serialisable state of a gradient transform (or of a whole optimizer): named float64
/// arrays and named float64 scalars. Every float and every double converts to double and back exactly,
/// so saving and restoring a state is bit-exact.
/// </summary>
/// <remarks>
/// Per-parameter arrays are named <c>"{name}/{parameterIndex}"</c>; a <see cref="Transforms.Chain{T}"/> prefixes
/// the entries of its <c>k</c>-th transform with <c>"{k}."</c>, a wrapping transform with <c>"inner."</c>.
/// Instances are immutable snapshots: arrays are copied in and out.
/// </remarks>
public sealed class TransformState
{
    private readonly Dictionary<string, double[]> _arrays;
    private readonly Dictionary<string, double> _scalars;

    /// <summary>Builds a state from named arrays and scalars (the arrays are copied).</summary>
    /// <param name="arrays">Named float64 arrays.</param>
    /// <param name="scalars">Named float64 scalars.</param>
    public TransformState(IReadOnlyDictionary<string, double[]> arrays, IReadOnlyDictionary<string, double> scalars)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        ArgumentNullException.ThrowIfNull(scalars);
        _arrays = arrays.ToDictionary(kv => kv.Key, kv => (double[])kv.Value.Clone(), StringComparer.Ordinal);
        _scalars = scalars.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }

    /// <summary>A state with no entries, for stateless transforms.</summary>
    public static TransformState Empty { get; } = new(new Dictionary<string, double[]>(), new Dictionary<string, double>());

    /// <summary>The named arrays (do not modify the returned arrays).</summary>
    public IReadOnlyDictionary<string, double[]> Arrays => _arrays;

    /// <summary>The named scalars.</summary>
    public IReadOnlyDictionary<string, double> Scalars => _scalars;

    /// <summary>The scalar called <paramref name="name"/>.</summary>
    /// <param name="name">The entry's name.</param>
    /// <exception cref="ArgumentException">There is no such scalar.</exception>
    public double Scalar(string name) =>
        _scalars.TryGetValue(name, out double value)
            ? value
            : throw new ArgumentException($"The state has no scalar '{name}'; it holds [{string.Join(", ", _scalars.Keys)}]. Load a state saved from the same transform.", nameof(name));

    /// <summary>The array called <paramref name="name"/>.</summary>
    /// <param name="name">The entry's name.</param>
    /// <exception cref="ArgumentException">There is no such array.</exception>
    public double[] Array(string name) =>
        _arrays.TryGetValue(name, out double[]? value)
            ? value
            : throw new ArgumentException($"The state has no array '{name}'. Load a state saved from the same transform with the same parameter sizes.", nameof(name));

    /// <summary>The same entries, each name prefixed with <paramref name="prefix"/>.</summary>
    /// <param name="prefix">The prefix, e.g. <c>"0."</c>.</param>
    public TransformState WithPrefix(string prefix) => new(
        _arrays.ToDictionary(kv => prefix + kv.Key, kv => kv.Value, StringComparer.Ordinal),
        _scalars.ToDictionary(kv => prefix + kv.Key, kv => kv.Value, StringComparer.Ordinal));

    /// <summary>The entries whose names start with <paramref name="prefix"/>, with the prefix removed.</summary>
    /// <param name="prefix">The prefix, e.g. <c>"0."</c>.</param>
    public TransformState Scope(string prefix) => new(
        _arrays.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal),
        _scalars.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal));

    /// <summary>All entries of all <paramref name="parts"/>; names must not collide.</summary>
    /// <param name="parts">The states to merge.</param>
    /// <exception cref="ArgumentException">Two parts hold an entry of the same name.</exception>
    public static TransformState Merge(params IEnumerable<TransformState> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var arrays = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var scalars = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (TransformState part in parts)
        {
            foreach (var kv in part._arrays)
            {
                if (!arrays.TryAdd(kv.Key, kv.Value))
                {
                    throw new ArgumentException($"Two states both hold an array '{kv.Key}'; prefix them with WithPrefix before merging.", nameof(parts));
                }
            }

            foreach (var kv in part._scalars)
            {
                if (!scalars.TryAdd(kv.Key, kv.Value))
                {
                    throw new ArgumentException($"Two states both hold a scalar '{kv.Key}'; prefix them with WithPrefix before merging.", nameof(parts));
                }
            }
        }

        return new TransformState(arrays, scalars);
    }
}
