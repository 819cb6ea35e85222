using System.CommandLine;

namespace Descent.Cli.Infrastructure;

/// <summary>
/// The options that wrap an optimizer, shared by <c>fit</c> and <c>minimize</c>: <c>--clip-value</c>,
/// <c>--clip-norm</c>, <c>--accumulate</c>, <c>--skip-nonfinite</c> (see <see cref="Factories.Wrap{T}"/>).
/// </summary>
internal sealed class GradientFlags
{
    private readonly Option<double?> _clipValue = Options.Number("--clip-value", "Clip every gradient element to [-C, C] before the optimizer sees it.", "1");
    private readonly Option<double?> _clipNorm = Options.Number("--clip-norm", "Scale the gradient down when its global norm (over all parameters) exceeds this.", "1");
    private readonly Option<int?> _accumulate = Options.Whole("--accumulate", "Average the gradients of N batches (steps) into one update.", "4");
    private readonly Option<bool> _skip = Options.Flag("--skip-nonfinite", "Skip an update whose gradient has a NaN or infinite element (the parameters and the optimizer state stay as they were).");

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(_clipValue);
        command.Add(_clipNorm);
        command.Add(_accumulate);
        command.Add(_skip);
    }

    /// <summary>The options given.</summary>
    public Factories.GradientOptions Read(ParseResult p) => new(p.GetValue(_clipValue), p.GetValue(_clipNorm), p.GetValue(_accumulate), p.GetValue(_skip));
}
