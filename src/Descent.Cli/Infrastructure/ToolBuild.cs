using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using X86 = System.Runtime.Intrinsics.X86;

namespace Descent.Cli.Infrastructure;

/// <summary>
/// Which build of <c>descent</c> this process is, and why it runs (for <c>descent info</c>). The linux-x64 tool package
/// carries an x86-64-v4 (AVX-512) and an x86-64-v3 (AVX2) Native AOT build behind a small launcher
/// (src/Descent.Cli.Launcher) that picks one, unpacks it on first use and execs it; the launcher passes its reason in
/// <c>DESCENT_BUILD_CHOICE</c>. Native AOT fixes the instruction set at compile time (<c>Avx512F.IsSupported</c> is a
/// constant <c>false</c> in the v3 build, even on an AVX-512 CPU), hence two builds (docs/packaging.md).
/// </summary>
internal static class ToolBuild
{
    /// <summary>The environment variable through which the launcher says why it started this build.</summary>
    public const string ChoiceVariable = "DESCENT_BUILD_CHOICE";

    /// <summary>Why this process runs the build it runs, e.g. <c>x86-64-v3: DOTNET_EnableAVX512=0</c>.</summary>
    public static string Choice => s_choice ??= WhyThisBuild(Environment.GetEnvironmentVariable(ChoiceVariable));

    private static string? s_choice;

    /// <summary>How this program was compiled: "Native AOT x86-64-v4", "Native AOT x86-64-v3", "Native AOT arm64", "JIT".</summary>
    public static string Build => RuntimeFeature.IsDynamicCodeCompiled ? "JIT" : "Native AOT " + AotTarget;

    // In a Native AOT binary these checks are constants of the instruction set it was compiled for.
    private static string AotTarget =>
        X86.Avx512F.IsSupported && X86.Avx512BW.IsSupported ? "x86-64-v4"
        : X86.Avx2.IsSupported ? "x86-64-v3"
        : X86.X86Base.IsSupported ? "x86-64-v2"
        : RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    /// <summary>The reason for this build, given what the launcher said (<paramref name="launcherReason"/>, null when it did not start this process).</summary>
    internal static string WhyThisBuild(string? launcherReason)
    {
        if (RuntimeFeature.IsDynamicCodeCompiled) return "JIT: the runtime picks the instruction set";
        if (!X86.X86Base.IsSupported) return AotTarget + ": the only build for this CPU";
        if (X86.Avx512F.IsSupported) return AotTarget + ": this build uses AVX-512";
        if (!OperatingSystem.IsLinux()) return AotTarget + ": one build on this OS";
        return launcherReason is { Length: > 0 } ? launcherReason : AotTarget + ": started directly, not through the launcher";
    }
}
