namespace Descent.Cli.Infrastructure;

/// <summary>Where a command writes, how it is cancelled, and whether progress may be drawn live.</summary>
/// <param name="Output">Standard output: the result (JSON alone with <c>--json</c>).</param>
/// <param name="Error">Standard error: progress and messages.</param>
/// <param name="Cancellation">Cancelled by Ctrl-C or SIGTERM (<see cref="StopSignals"/>).</param>
/// <param name="Live">Whether progress may be drawn as a live bar (a terminal, no <c>CI</c>).</param>
public sealed record CliContext(TextWriter Output, TextWriter Error, CancellationToken Cancellation, bool Live)
{
    /// <summary>The command line's arguments, as after <c>descent</c> (recorded with tracked runs).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
}
