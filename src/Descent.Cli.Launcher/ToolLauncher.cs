using System.Buffers;
using System.IO.Compression;
using X86 = System.Runtime.Intrinsics.X86;

namespace Descent.Cli.Launcher;

/// <summary>
/// The linux-x64 <c>descent</c> tool package carries two Native AOT builds of the program, one for x86-64-v4 (AVX-512)
/// and one for x86-64-v3 (AVX2: every x64 CPU since Haswell/Zen 1), and its native libraries (SkiaSharp, HarfBuzz,
/// SQLite), all Brotli-compressed, with this small program as the entry point. It picks the build the CPU and OS can
/// run, unpacks it and the natives on first use (beside itself, or in a per-user cache directory where the tool's
/// directory is not writable) and execs it with the same arguments: same process id, standard streams, signals and exit
/// code (docs/packaging.md).
/// </summary>
internal static class ToolLauncher
{
    /// <summary>The x86-64-v4 (AVX-512) build's file name once unpacked.</summary>
    public const string V4 = "Descent.Cli.x86-64-v4";

    /// <summary>The x86-64-v3 (AVX2) build's file name once unpacked.</summary>
    public const string V3 = "Descent.Cli.x86-64-v3";

    /// <summary>The environment variable that tells the started build why it was chosen (<c>descent info</c> shows it).</summary>
    public const string ChoiceVariable = "DESCENT_BUILD_CHOICE";

    /// <summary>Starts a program: returns only when that failed, with the errno.</summary>
    public delegate int ExecFunction(string path, string[] argv, string reason);

    /// <summary>
    /// Picks, unpacks and execs the build; returns (exit code 1, after a message naming the problem and the fix) only
    /// when no build could be started. Falls back to x86-64-v3 when the x86-64-v4 build cannot be unpacked or started.
    /// </summary>
    public static int Run(string toolDirectory, string argv0, string[] args, Func<string, string?> environment, ExecFunction exec, Action<string> error,
        Func<bool>? cpuHasAvx512 = null, Func<bool>? osEnablesAvx512 = null, Func<bool>? cpuRunsV3 = null)
    {
        if (!(cpuRunsV3 ?? CpuRunsV3)())
        {
            error(NoV3Message);
            return 1;
        }
        string manifestPath = Path.Combine(toolDirectory, Payload.ManifestName);
        Payload payload;
        try
        {
            payload = Payload.Parse(File.ReadAllText(manifestPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            error($"descent: cannot read {manifestPath} ({Describe(e)}): the tool's installation is damaged; reinstall it: "
                + "dotnet tool uninstall -g Descent.Cli && dotnet tool install -g Descent.Cli");
            return 1;
        }
        var (build, reason) = Choose(environment, cpuHasAvx512 ?? CpuHasAvx512, osEnablesAvx512 ?? OsEnablesAvx512);
        string[] argv = [argv0, .. args];
        string failure = "";
        foreach (string candidate in build == V4 ? new[] { V4, V3 } : [V3])
        {
            if (candidate != build) reason = $"x86-64-v3: could not start {V4} ({failure})";
            string path;
            try
            {
                path = Path.Combine(Prepare(toolDirectory, payload, candidate, environment), candidate);
            }
            catch (LaunchException e)
            {
                failure = e.Message;
                continue;
            }
            int errno = exec(path, argv, reason);
            failure = $"{path}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})"
                + (errno == 13 ? "; is its file system mounted noexec?" : "");
        }
        error($"descent: cannot start: {failure}");
        return 1;
    }

    /// <summary>
    /// Which build to run, and why: x86-64-v4 where the CPU has AVX-512 F/BW/CD/DQ/VL and Linux enables it, unless the
    /// runtime's own switches (<c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableHWIntrinsic=0</c>, their <c>COMPlus_</c>
    /// spellings or the old <c>EnableAVX512F=0</c>), which a Native AOT program otherwise ignores, turn it off.
    /// </summary>
    public static (string Executable, string Reason) Choose(Func<string, string?> environment, Func<bool> cpuHasAvx512, Func<bool> osEnablesAvx512)
    {
        foreach (string name in new[] { "EnableHWIntrinsic", "EnableAVX512", "EnableAVX512F" })
            foreach (string prefix in new[] { "DOTNET_", "COMPlus_" })
                if (environment(prefix + name) == "0") return (V3, $"x86-64-v3: {prefix}{name}=0");
        if (!cpuHasAvx512()) return (V3, "x86-64-v3: the CPU has no AVX-512 (F, BW, CD, DQ and VL)");
        if (!osEnablesAvx512()) return (V3, "x86-64-v3: the OS does not enable AVX-512");
        return (V4, "x86-64-v4: this build uses AVX-512");
    }

    /// <summary>
    /// Makes sure <paramref name="executable"/> and every native library are unpacked, in the tool's directory or else in
    /// the cache directory, and returns that directory. A file whose size is not the manifest's (a damaged or foreign
    /// file) is unpacked again; unpacking writes a temporary file and renames it into place, so processes racing on the
    /// first start, or one interrupted, never leave or run a partial file.
    /// </summary>
    public static string Prepare(string toolDirectory, Payload payload, string executable, Func<string, string?> environment)
    {
        var needed = new List<PayloadFile>();
        foreach (var file in payload.Files)
            if (!file.IsExecutable || file.Name == executable) needed.Add(file);
        if (!needed.Exists(f => f.Name == executable)) throw new LaunchException($"the package has no {executable}");
        if (Missing(toolDirectory, needed).Count == 0) return toolDirectory;
        string toolFailure;
        try
        {
            UnpackMissing(toolDirectory, toolDirectory, needed);
            return toolDirectory;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            toolFailure = Describe(e);
        }
        string cache = CacheDirectory(environment, payload.Key)
            ?? throw new LaunchException($"cannot unpack into {toolDirectory} ({toolFailure}), and neither HOME nor XDG_CACHE_HOME is set to give a cache directory");
        try
        {
            Directory.CreateDirectory(cache);
            UnpackMissing(toolDirectory, cache, needed);
            return cache;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LaunchException($"cannot unpack into {toolDirectory} ({toolFailure}) nor into {cache} ({Describe(e)}); free some disk space or set XDG_CACHE_HOME to a writable directory");
        }
    }

    /// <summary>Where a tool installed in a directory the user cannot write unpacks: <c>$XDG_CACHE_HOME/descent/KEY</c> or <c>~/.cache/descent/KEY</c>.</summary>
    public static string? CacheDirectory(Func<string, string?> environment, string key)
    {
        string? root = environment("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg) ? xdg
            : environment("HOME") is { Length: > 0 } home ? Path.Combine(home, ".cache")
            : null;
        return root is null ? null : Path.Combine(root, "descent", key);
    }

    /// <summary>The files of <paramref name="files"/> that are not in <paramref name="directory"/> with their size (executables: and executable).</summary>
    public static List<PayloadFile> Missing(string directory, List<PayloadFile> files)
    {
        var missing = new List<PayloadFile>();
        foreach (var file in files)
        {
            var info = new FileInfo(Path.Combine(directory, file.Name));
            bool complete = info.Exists && info.Length == file.Size && (!file.IsExecutable || (info.UnixFileMode & UnixFileMode.UserExecute) != 0);
            if (!complete) missing.Add(file);
        }
        return missing;
    }

    private static void UnpackMissing(string toolDirectory, string directory, List<PayloadFile> files)
    {
        foreach (var file in Missing(directory, files))
        {
            string packed = Path.Combine(toolDirectory, file.Name + ".br");
            try
            {
                Unpack(packed, Path.Combine(directory, file.Name), file.Size, file.IsExecutable ? ExecutableMode : LibraryMode);
            }
            catch (InvalidDataException e)
            {
                throw new LaunchException($"{packed} is damaged ({e.Message}); reinstall the tool: dotnet tool uninstall -g Descent.Cli && dotnet tool install -g Descent.Cli");
            }
            catch (FileNotFoundException)
            {
                throw new LaunchException($"{packed} is missing; reinstall the tool: dotnet tool uninstall -g Descent.Cli && dotnet tool install -g Descent.Cli");
            }
        }
    }

    private const UnixFileMode LibraryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode ExecutableMode = LibraryMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>
    /// Decompresses <paramref name="packed"/> into <paramref name="target"/>: a temporary file in the same directory
    /// (unique to this process and call), checked to be exactly <paramref name="size"/> bytes, flushed to disk, given
    /// <paramref name="mode"/> and renamed over the target (atomic: a reader sees the old file or the whole new one).
    /// </summary>
    public static void Unpack(string packed, string target, long size, UnixFileMode mode)
    {
        string temporary = $"{target}.{Environment.ProcessId}-{Random.Shared.Next():x8}.tmp";
        try
        {
            using (var input = new FileStream(packed, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
            using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                Decompress(input, output, size);
                output.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, mode);
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    private static void Decompress(Stream input, Stream output, long size)
    {
        byte[] inBuffer = ArrayPool<byte>.Shared.Rent(1 << 16), outBuffer = ArrayPool<byte>.Shared.Rent(1 << 18);
        try
        {
            using var decoder = new BrotliDecoder();
            int start = 0, count = 0;
            long written = 0;
            bool end = false;
            while (true)
            {
                if (count == 0 && !end)
                {
                    start = 0;
                    count = input.Read(inBuffer, 0, inBuffer.Length);
                    end = count == 0;
                }
                var status = decoder.Decompress(inBuffer.AsSpan(start, count), outBuffer, out int consumed, out int produced);
                start += consumed;
                count -= consumed;
                written += produced;
                if (written > size) throw new InvalidDataException($"it unpacks to more than the {size} bytes expected");
                output.Write(outBuffer, 0, produced);
                if (status == OperationStatus.Done) break;
                if (status == OperationStatus.InvalidData) throw new InvalidDataException("not valid Brotli data");
                if (status == OperationStatus.NeedMoreData && end) throw new InvalidDataException("it ends too early");
            }
            if (written != size) throw new InvalidDataException($"it unpacks to {written} bytes, not the {size} expected");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(inBuffer);
            ArrayPool<byte>.Shared.Return(outBuffer);
        }
    }

    /// <summary>What the launcher says on an x64 CPU that cannot run either build (instead of the runtime's bare refusal).</summary>
    public const string NoV3Message =
        "descent: this CPU lacks the x86-64-v3 instructions (AVX2, FMA, BMI1/BMI2, LZCNT, MOVBE) that the descent tool's "
        + "Native AOT builds need: every x64 CPU since Intel Haswell (2013) and AMD Zen has them, some Pentium, Celeron and "
        + "Atom models do not. The Descent library runs on any CPU under the JIT; for the command line on this machine, run "
        + "it from a clone of the repository: dotnet run -c Release --project src/Descent.Cli -- ARGUMENTS (docs/packaging.md).";

    /// <summary>
    /// CPUID: what Native AOT's x86-64-v3 target demands at start-up — AVX2, BMI1, BMI2 (leaf 7), FMA, MOVBE, AVX with
    /// XSAVE enabled by the OS (leaf 1) and LZCNT (leaf 0x80000001). Not x64 (no CPUID): true, there is nothing to check.
    /// </summary>
    public static bool CpuRunsV3()
    {
        if (!X86.X86Base.IsSupported) return true;
        var (maxLeaf, _, _, _) = X86.X86Base.CpuId(0, 0);
        if (maxLeaf < 7) return false;
        var (_, _, ecx1, _) = X86.X86Base.CpuId(1, 0);
        const int leaf1 = (1 << 12) | (1 << 22) | (1 << 27) | (1 << 28);   // FMA, MOVBE, OSXSAVE, AVX
        if ((ecx1 & leaf1) != leaf1) return false;
        var (_, ebx7, _, _) = X86.X86Base.CpuId(7, 0);
        const int leaf7 = (1 << 3) | (1 << 5) | (1 << 8);   // BMI1, AVX2, BMI2
        if ((ebx7 & leaf7) != leaf7) return false;
        var (maxExtended, _, _, _) = X86.X86Base.CpuId(unchecked((int)0x80000000), 0);
        if ((uint)maxExtended < 0x80000001) return false;
        var (_, _, ecxExtended, _) = X86.X86Base.CpuId(unchecked((int)0x80000001), 0);
        return (ecxExtended & (1 << 5)) != 0;   // LZCNT (ABM)
    }

    /// <summary>CPUID: AVX-512 F, DQ, CD, BW and VL (leaf 7), and XSAVE enabled by the OS (leaf 1, OSXSAVE).</summary>
    public static bool CpuHasAvx512()
    {
        if (!X86.X86Base.IsSupported) return false;
        var (maxLeaf, _, _, _) = X86.X86Base.CpuId(0, 0);
        if (maxLeaf < 7) return false;
        var (_, _, ecx1, _) = X86.X86Base.CpuId(1, 0);
        if ((ecx1 & (1 << 27)) == 0) return false;
        var (_, ebx7, _, _) = X86.X86Base.CpuId(7, 0);
        const int required = (1 << 16) | (1 << 17) | (1 << 28) | (1 << 30) | unchecked((int)(1u << 31));
        return (ebx7 & required) == required;
    }

    /// <summary>Whether Linux saves the AVX-512 registers: it lists avx512f/bw/cd/dq/vl in /proc/cpuinfo only then.</summary>
    public static bool OsEnablesAvx512()
    {
        try
        {
            using var reader = new StreamReader("/proc/cpuinfo");
            return FirstProcessorHasAvx512(reader);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;   // No /proc: stay on the build that runs everywhere.
        }
    }

    /// <summary>Whether the first processor's <c>flags</c> line in a /proc/cpuinfo text lists the five AVX-512 flags.</summary>
    public static bool FirstProcessorHasAvx512(TextReader cpuinfo)
    {
        while (cpuinfo.ReadLine() is { } line)
        {
            if (line.Length == 0) return false;
            if (!line.StartsWith("flags", StringComparison.Ordinal)) continue;
            string[] flags = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (string needed in new[] { "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl" })
                if (Array.IndexOf(flags, needed) < 0) return false;
            return true;
        }
        return false;
    }

    private static string Describe(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => "no such directory",
        _ => e.Message,
    };
}

/// <summary>A reason the launcher cannot start a build, worded for the user.</summary>
internal sealed class LaunchException(string message) : Exception(message);
