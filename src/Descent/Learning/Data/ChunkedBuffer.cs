namespace Descent.Learning.Data;

/// <summary>
/// A growing list of values kept in fixed-size chunks, so growing never copies what was read (a <see cref="List{T}"/>
/// doubles and copies, holding up to three times the data for a moment). <see cref="ToArray"/> makes the one exact copy.
/// </summary>
internal sealed class ChunkedBuffer<T> where T : unmanaged
{
    private const int ChunkSize = 1 << 16;
    private readonly List<T[]> _chunks = [];
    private long _count;

    /// <summary>The number of values held.</summary>
    public long Count => _count;

    /// <summary>Appends a value.</summary>
    public void Add(T value)
    {
        int offset = (int)(_count % ChunkSize);
        if (offset == 0 && _count / ChunkSize == _chunks.Count) _chunks.Add(new T[ChunkSize]);
        _chunks[(int)(_count / ChunkSize)][offset] = value;
        _count++;
    }

    /// <summary>Removes the last <paramref name="count"/> values.</summary>
    public void RemoveLast(int count) => _count = Math.Max(0, _count - count);

    /// <summary>The values as one array of exactly <see cref="Count"/> elements; the chunks are released as they are copied.</summary>
    public T[] ToArray()
    {
        var result = new T[_count];
        long done = 0;
        for (int c = 0; c < _chunks.Count && done < _count; c++)
        {
            int n = (int)Math.Min(ChunkSize, _count - done);
            Array.Copy(_chunks[c], 0, result, done, n);
            _chunks[c] = [];
            done += n;
        }
        _chunks.Clear();
        _count = 0;
        return result;
    }
}
