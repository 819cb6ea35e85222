namespace Descent.Plotting;

/// <summary>
/// Thrown when a figure cannot be drawn or written: no usable font, an unsupported file extension,
/// or data that leaves nothing to plot. The message names what went wrong and how to fix it.
/// </summary>
public sealed class PlottingException : Exception
{
    /// <summary>Creates the exception with a message that names the problem and the fix.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public PlottingException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying error.</param>
    public PlottingException(string message, Exception innerException) : base(message, innerException) { }
}
