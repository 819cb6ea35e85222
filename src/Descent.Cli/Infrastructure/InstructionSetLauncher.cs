using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using X86 = System.Runtime.Intrinsics.X86;

namespace Descent.Cli.Infrastructure;

/// <summary>
/// Start-up of the Native AOT tool on x64 Linux: the package carries two builds of <c>descent</c>, one for x86-64-v3
/// (AVX2, the entry point; starts on every x64 CPU since Haswell/Zen 1) and one for x86-64-v4 (AVX-512), and the first
/// replaces itself with the second (<c>execv</c>, same process id, stdio, signals and exit code) when the CPU and the
/// OS support AVX-512. Native AOT fixes the instruction set at compile time (<c>Avx512F.IsSupported</c> is a constant
/// <c>false</c> in the v3 build, even on an AVX-512 CPU), so this is how the tool gets the AVX-512 kernels where they
/// exist without refusing to start where they do not (docs/packaging.md).
/// </summary>
/// <remarks>
/// Not switched: under the JIT (it picks the instruction set itself), on Windows and macOS (no exec; see
/// docs/packaging.md), in the v4 build itself, when <c>DOTNET_EnableAVX512=0</c> or <c>DOTNET_EnableHWIntrinsic=0</c> is
/// set (the runtime's own switches, which a Native AOT binary otherwise ignores), when the CPU lacks one of AVX-512
/// F/BW/CD/DQ/VL or the kernel does not enable them (their flags missing from <c>/proc/cpuinfo</c>, which Linux clears when
/// it does not save the AVX-512 state), or when the v4 executable is not next to this one.
/// </remarks>
internal static class InstructionSetLauncher
{
    /// <summary>The x86-64-v4 executable's file name, beside the entry point <c>Descent.Cli</c>.</summary>
    public const string Avx512ExecutableName = "Descent.Cli.x86-64-v4";

    /// <summary>Why this process runs the build it runs (for <c>descent info</c>); set by <see cref="ExecAvx512BuildIfSupported"/>.</summary>
    public static string Choice
    {
        get => s_choice ??= WhyNot() is { Length: > 0 } reason ? reason : "x86-64-v3: not started through Main";
        private set => s_choice = value;
    }

    private static string? s_choice;

    /// <summary>How this program was compiled: "Native AOT x86-64-v4", "Native AOT x86-64-v3", "Native AOT arm64", "JIT".</summary>
    public static string Build => RuntimeFeature.IsDynamicCodeCompiled ? "JIT" : "Native AOT " + AotTarget;

    // In a Native AOT binary these checks are constants of the instruction set it was compiled for.
    private static string AotTarget =>
        X86.Avx512F.IsSupported && X86.Avx512BW.IsSupported ? "x86-64-v4"
        : X86.Avx2.IsSupported ? "x86-64-v3"
        : X86.X86Base.IsSupported ? "x86-64-v2"
        : RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    /// <summary>
    /// In the x86-64-v3 Native AOT build on Linux with AVX-512 available: execs the x86-64-v4 build with the same
    /// arguments and never returns. Otherwise returns at once (and records why in <see cref="Choice"/>). Call it first,
    /// before anything touches the console.
    /// </summary>
    public static void ExecAvx512BuildIfSupported(string[] args)
    {
        Choice = WhyNot();
        if (Choice.Length > 0 || !OperatingSystem.IsLinux()) return;
        string target = Path.Combine(AppContext.BaseDirectory, Avx512ExecutableName);
        if (!File.Exists(target) && !Unpack(target)) return;
        string[] argv0 = Environment.GetCommandLineArgs();
        Exec(target, [argv0.Length > 0 ? argv0[0] : target, .. args]);
        Choice = $"x86-64-v3: could not start {Avx512ExecutableName} (errno {Marshal.GetLastPInvokeError()})";
    }

    /// <summary>
    /// The package carries the v4 executable Brotli-compressed (<c>Descent.Cli.x86-64-v4.br</c>: 6 MB instead of 8 MB as
    /// the package's deflate would store it, which keeps the package under 20 MB); the first run on an AVX-512 machine
    /// unpacks it beside this executable (a temporary file renamed into place, so a concurrent or interrupted first run
    /// never leaves a partial executable). Where that directory is not writable the v3 build runs.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static bool Unpack(string target)
    {
        string packed = target + ".br";
        if (!File.Exists(packed)) { Choice = $"x86-64-v3: no {Avx512ExecutableName} beside this executable"; return false; }
        string temporary = $"{target}.{Environment.ProcessId}.tmp";
        try
        {
            using (var input = File.OpenRead(packed))
            using (var brotli = new BrotliStream(input, CompressionMode.Decompress))
            using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
                brotli.CopyTo(output);
            File.SetUnixFileMode(temporary, File.GetUnixFileMode(Environment.ProcessPath ?? packed) | UnixFileMode.UserExecute);
            File.Move(temporary, target, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            try { File.Delete(temporary); } catch (Exception f) when (f is IOException or UnauthorizedAccessException) { }
            Choice = $"x86-64-v3: could not unpack {Avx512ExecutableName} ({e.Message})";
            return false;
        }
    }

    /// <summary>Empty when the v4 build should run instead of this one; otherwise what this process runs and why.</summary>
    private static string WhyNot()
    {
        if (RuntimeFeature.IsDynamicCodeCompiled) return "JIT: the runtime picks the instruction set";
        if (!X86.X86Base.IsSupported) return AotTarget + ": the only build for this CPU";
        if (X86.Avx512F.IsSupported) return AotTarget + ": this build uses AVX-512";
        if (!OperatingSystem.IsLinux()) return AotTarget + ": one build on this OS";
        foreach (string name in new[] { "EnableHWIntrinsic", "EnableAVX512", "EnableAVX512F" })
            foreach (string prefix in new[] { "DOTNET_", "COMPlus_" })
                if (Environment.GetEnvironmentVariable(prefix + name) == "0") return $"{AotTarget}: {prefix}{name}=0";
        if (!CpuHasAvx512()) return AotTarget + ": the CPU has no AVX-512 (F, BW, CD, DQ and VL)";
        if (!LinuxEnablesAvx512()) return AotTarget + ": the OS does not enable AVX-512";
        return "";
    }

    /// <summary>CPUID: AVX-512 F, DQ, CD, BW and VL (leaf 7), and XSAVE enabled by the OS (leaf 1, OSXSAVE).</summary>
    private static bool CpuHasAvx512()
    {
        var (maxLeaf, _, _, _) = X86.X86Base.CpuId(0, 0);
        if (maxLeaf < 7) return false;
        var (_, _, ecx1, _) = X86.X86Base.CpuId(1, 0);
        if ((ecx1 & (1 << 27)) == 0) return false;
        var (_, ebx7, _, _) = X86.X86Base.CpuId(7, 0);
        const int required = (1 << 16) | (1 << 17) | (1 << 28) | (1 << 30) | unchecked((int)(1u << 31));
        return (ebx7 & required) == required;
    }

    /// <summary>
    /// Whether Linux saves the AVX-512 registers: it lists avx512f/bw/cd/dq/vl in /proc/cpuinfo only then (it clears the
    /// flags when the XSAVE state for them is off). Reads the first processor's lines only.
    /// </summary>
    private static bool LinuxEnablesAvx512()
    {
        try
        {
            using var reader = new StreamReader("/proc/cpuinfo");
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0) return false;
                if (!line.StartsWith("flags", StringComparison.Ordinal)) continue;
                var flags = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return new[] { "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl" }.All(flags.Contains);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc: stay on the build that runs everywhere.
        }
        return false;
    }

    /// <summary>execv(path, argv): returns only when it failed.</summary>
    private static void Exec(string path, string[] argv)
    {
        var strings = new nint[argv.Length + 1];
        nint file = Marshal.StringToCoTaskMemUTF8(path);
        try
        {
            for (int i = 0; i < argv.Length; i++) strings[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
            _ = execv(file, strings);
        }
        finally
        {
            Marshal.FreeCoTaskMem(file);
            foreach (nint s in strings) Marshal.FreeCoTaskMem(s);
        }
    }

    // Linked directly into the Native AOT executables (DirectPInvoke in Descent.Cli.csproj); never called under the JIT.
    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for the same blittable call
    private static extern int execv(nint path, nint[] argv);
#pragma warning restore SYSLIB1054
}
