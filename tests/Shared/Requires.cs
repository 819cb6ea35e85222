using System.Diagnostics.CodeAnalysis;

namespace Descent.Testing;

/// <summary>
/// For tests that need something not every machine has (a browser, PyTorch, a dataset): when it is missing the test
/// shows as skipped, with what to install — never as passed — and when the <c>CI</c> variable is set it fails, because
/// CI (.ci/run) installs everything. Use it first thing in a <c>[SkippableFact]</c> or <c>[SkippableTheory]</c>.
/// Linked into every test project from tests/Shared.
/// </summary>
internal static class Requires
{
    /// <summary>Whether the CI variable is set (to anything but empty, 0 or false).</summary>
    public static bool InCi =>
        Environment.GetEnvironmentVariable("CI") is { Length: > 0 } v && v != "0" && !v.Equals("false", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips the test (fails it in CI) unless <paramref name="present"/>; <paramref name="what"/> names it and how to install it.</summary>
    public static void That([DoesNotReturnIf(false)] bool present, string what)
    {
        if (present) return;
        if (InCi) Assert.Fail($"{what} is missing, and CI is set: .ci/run installs it, so this test must run.");
        throw new SkipException($"{what} is missing; the test did not run.");
    }

    /// <summary>Skips the test (fails it in CI) unless one of <paramref name="paths"/> exists.</summary>
    public static string AnyFile(string what, params string[] paths)
    {
        var found = paths.FirstOrDefault(File.Exists);
        That(found is not null, what);
        return found!;
    }
}
