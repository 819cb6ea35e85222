namespace Descent.Cli.Infrastructure;

/// <summary>The exit codes of <c>descent</c>.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>An unexpected internal error (a bug: please report it).</summary>
    public const int Internal = 1;
    /// <summary>A usage error: unknown option, bad value.</summary>
    public const int Usage = 2;
    /// <summary>An input error: missing or malformed data file, bad expression.</summary>
    public const int Input = 3;
    /// <summary>The run diverged; the result is still printed.</summary>
    public const int Diverged = 4;
    /// <summary>Interrupted by the user (Ctrl-C, SIGTERM).</summary>
    public const int Interrupted = 5;
    /// <summary>Distributed training could not go on: workers did not join, or one failed past its retries (docs/distributed.md).</summary>
    public const int Cluster = 6;
}

/// <summary>A distributed run's cluster failed (exit code 6); the message says what and what to do.</summary>
public sealed class ClusterException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A mistake in how the command was called (exit code 2); the message names the option and the accepted form.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>A problem with the user's input data or expression (exit code 3).</summary>
public sealed class InputException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Turns library exceptions into the CLI's words.</summary>
public static class Errors
{
    /// <summary>
    /// The message of a library exception without .NET's additions ("(Parameter 'beta1')", "Actual value was 2."), so
    /// the CLI can show it after the option and the value the user typed.
    /// </summary>
    public static string LibraryMessage(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string m = e.Message;
        int cut = m.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (cut < 0) cut = m.IndexOf(Environment.NewLine + "Actual value was", StringComparison.Ordinal);
        return (cut < 0 ? m : m[..cut]).Trim();
    }
}
