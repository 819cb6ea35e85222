namespace Descent.Learning.Training;

/// <summary>
/// Thrown when a checkpoint file cannot be used: it is truncated, corrupted (its checksum does not match), not a
/// checkpoint (<see cref="IsCorrupted"/>), or it is intact but does not fit the model or optimizer it is loaded into.
/// Nothing is loaded when this is thrown.
/// </summary>
public sealed class CheckpointException : IOException
{
    /// <summary>Creates the exception for a checkpoint that is intact but cannot be used here (e.g. another model).</summary>
    public CheckpointException(string path, string message) : base($"{path}: {message}") => Path = path;

    private CheckpointException(string path, string detail, bool corrupted)
        : base($"corrupted or unreadable checkpoint {path}: {detail} — retrain, or resume from an earlier checkpoint.")
    {
        Path = path;
        IsCorrupted = corrupted;
    }

    /// <summary>
    /// The one error for every malformed file (truncated, bit flips, foreign file, bad offsets, a device such as
    /// <c>/dev/zero</c>): "corrupted or unreadable checkpoint PATH: DETAIL — retrain, or resume from an earlier checkpoint."
    /// </summary>
    public static CheckpointException Corrupted(string path, string detail) => new(path, detail, corrupted: true);

    /// <summary>The checkpoint's path.</summary>
    public string Path { get; }

    /// <summary>True when the file itself is damaged or not a checkpoint; false when it is intact but does not fit.</summary>
    public bool IsCorrupted { get; }
}
