namespace Descent.Learning.Training;

/// <summary>
/// Thrown when a checkpoint file cannot be used: it is truncated, corrupted (its checksum does not match), not a
/// checkpoint, or does not fit the model. Nothing is loaded when this is thrown.
/// </summary>
public sealed class CheckpointException : IOException
{
    /// <summary>Creates the exception.</summary>
    public CheckpointException(string path, string message) : base($"{path}: {message}") => Path = path;

    /// <summary>The checkpoint's path.</summary>
    public string Path { get; }
}
