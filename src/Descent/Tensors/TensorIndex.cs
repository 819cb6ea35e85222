namespace Descent;

/// <summary>
/// One component of a tensor index: an integer (selects and removes the axis), a C# <see cref="System.Index"/>
/// (<c>^1</c> is the last), or a <see cref="System.Range"/> (<c>1..3</c>, <c>..</c>) that keeps the axis.
/// Converts implicitly, so <c>x[0, 1..3]</c> and <c>x[^1]</c> read as they do on arrays.
/// </summary>
public readonly struct TensorIndex
{
    private TensorIndex(Index? index, Range? range)
    {
        Point = index;
        Span = range;
    }

    /// <summary>The single position selected, or null for a range.</summary>
    public Index? Point { get; }

    /// <summary>The range selected, or null for a single position.</summary>
    public Range? Span { get; }

    /// <summary>Every element along the axis (<c>..</c>).</summary>
    public static TensorIndex All => new(null, Range.All);

    /// <summary>Selects one position.</summary>
    public static implicit operator TensorIndex(int index) => new(index < 0 ? Index.FromEnd(-index) : Index.FromStart(index), null);

    /// <summary>Selects one position, possibly from the end.</summary>
    public static implicit operator TensorIndex(Index index) => new(index, null);

    /// <summary>Selects a range of positions.</summary>
    public static implicit operator TensorIndex(Range range) => new(null, range);

    /// <summary>Creates an index selecting one position.</summary>
    public static TensorIndex FromInt32(int index) => index;

    /// <summary>Creates an index selecting one position.</summary>
    public static TensorIndex FromIndex(Index index) => index;

    /// <summary>Creates an index selecting a range.</summary>
    public static TensorIndex FromRange(Range range) => range;
}
