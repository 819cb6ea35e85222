namespace Descent;

/// <summary>
/// Thrown when tensor shapes do not fit an operation: they cannot broadcast, a reshape changes the element count,
/// an axis is out of range, or matrix dimensions do not agree. The message names the operation and the shapes.
/// </summary>
public sealed class ShapeException : ArgumentException
{
    /// <summary>Creates the exception with a message that names the operation, the shapes and the rule.</summary>
    public ShapeException(string message) : base(message) { }
}
