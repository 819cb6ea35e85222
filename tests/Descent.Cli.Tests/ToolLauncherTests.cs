using System.IO.Compression;
using Descent.Cli.Launcher;

namespace Descent.Cli.Tests;

/// <summary>
/// The linux-x64 tool's launcher (src/Descent.Cli.Launcher), in-process: which build it picks, the manifest, and
/// unpacking — first use, a damaged or partial file, a tool directory it cannot write, processes racing. The exec itself
/// and the real package are checked by eng/smoke-tool.sh through the installed tool.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ToolLauncherTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("descent-launcher-").FullName;
    private readonly Dictionary<string, string> _environment = [];
    private readonly Dictionary<string, byte[]> _contents = [];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string? Env(string name) => _environment.GetValueOrDefault(name);

    /// <summary>A tool directory as the package lays it out: two "builds" and two "libraries", Brotli-packed, and the manifest.</summary>
    private string ToolDirectory(string name = "tool")
    {
        string tool = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        var random = new Random(7);
        var manifest = new System.Text.StringBuilder("# test payload\n");
        foreach (var (file, size) in new[] { (ToolLauncher.V3, 300_001), (ToolLauncher.V4, 280_003), ("libSkiaSharp.so", 120_000), ("libe_sqlite3.so", 5) })
        {
            byte[] bytes = new byte[size];
            random.NextBytes(bytes.AsSpan(0, size / 2));   // half random, half zeros: compressible, like a program
            _contents[file] = bytes;
            File.WriteAllBytes(Path.Combine(tool, file + ".br"), Brotli(bytes));
            manifest.Append($"{file} {size} {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))}\n");
        }
        File.WriteAllText(Path.Combine(tool, Payload.ManifestName), manifest.ToString());
        return tool;
    }

    private static byte[] Brotli(byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var brotli = new BrotliStream(memory, CompressionLevel.Fastest)) brotli.Write(bytes);
        return memory.ToArray();
    }

    private static Payload Manifest(string tool) => Payload.Parse(File.ReadAllText(Path.Combine(tool, Payload.ManifestName)));

    private void AssertUnpacked(string directory, params string[] files)
    {
        foreach (string file in files)
        {
            string path = Path.Combine(directory, file);
            Assert.True(File.Exists(path), $"{file} was not unpacked into {directory}");
            Assert.Equal(_contents[file], File.ReadAllBytes(path));
            if (file.StartsWith("Descent.Cli.x86-64-", StringComparison.Ordinal))
                Assert.True((File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0, $"{file} is not executable");
        }
        Assert.Empty(Directory.GetFiles(directory, "*.tmp"));
    }

    [Fact]
    public void PicksV4OnlyWhereTheCpuAndTheOsHaveAvx512AndNoSwitchTurnsItOff()
    {
        Assert.Equal((ToolLauncher.V4, "x86-64-v4: this build uses AVX-512"), ToolLauncher.Choose(Env, () => true, () => true));
        Assert.Equal(ToolLauncher.V3, ToolLauncher.Choose(Env, () => false, () => true).Executable);
        Assert.Contains("CPU has no AVX-512", ToolLauncher.Choose(Env, () => false, () => true).Reason, StringComparison.Ordinal);
        Assert.Equal((ToolLauncher.V3, "x86-64-v3: the OS does not enable AVX-512"), ToolLauncher.Choose(Env, () => true, () => false));
        foreach (string variable in new[] { "DOTNET_EnableAVX512", "DOTNET_EnableHWIntrinsic", "COMPlus_EnableAVX512", "DOTNET_EnableAVX512F" })
        {
            _environment.Clear();
            _environment[variable] = "0";
            Assert.Equal((ToolLauncher.V3, $"x86-64-v3: {variable}=0"), ToolLauncher.Choose(Env, () => true, () => true));
            _environment[variable] = "1";
            Assert.Equal(ToolLauncher.V4, ToolLauncher.Choose(Env, () => true, () => true).Executable);
        }
    }

    [Fact]
    public void ReadsTheAvx512FlagsOfTheFirstProcessorOnly()
    {
        const string all = "flags\t\t: fpu sse2 avx2 avx512f avx512dq avx512cd avx512bw avx512vl\n";
        const string some = "flags\t\t: fpu sse2 avx2 avx512f avx512dq avx512cd avx512bw\n";
        Assert.True(ToolLauncher.FirstProcessorHasAvx512(new StringReader("processor\t: 0\n" + all + "\nprocessor\t: 1\n" + some)));
        Assert.False(ToolLauncher.FirstProcessorHasAvx512(new StringReader("processor\t: 0\n" + some + "\nprocessor\t: 1\n" + all)));
        Assert.False(ToolLauncher.FirstProcessorHasAvx512(new StringReader("processor\t: 0\nflags\t\t: avx512fx avx512bw avx512cd avx512dq avx512vl\n")));
        Assert.False(ToolLauncher.FirstProcessorHasAvx512(new StringReader("")));
    }

    [Fact]
    public void TheManifestNamesFilesSizesAndACacheKeyPerBuild()
    {
        var payload = Payload.Parse("# comment\nDescent.Cli.x86-64-v3 12 ab\nlibSkiaSharp.so 7 cd\n");
        Assert.Equal([new PayloadFile("Descent.Cli.x86-64-v3", 12, "ab"), new PayloadFile("libSkiaSharp.so", 7, "cd")], payload.Files);
        Assert.True(payload.Files[0].IsExecutable);
        Assert.False(payload.Files[1].IsExecutable);
        Assert.Matches("^[0-9a-f]{16}$", payload.Key);
        Assert.NotEqual(payload.Key, Payload.Parse("Descent.Cli.x86-64-v3 13 ab\nlibSkiaSharp.so 7 cd\n").Key);
        Assert.Throws<InvalidDataException>(() => Payload.Parse("Descent.Cli.x86-64-v3 twelve ab\n"));
        Assert.Throws<InvalidDataException>(() => Payload.Parse("../evil 12 ab\n"));
        Assert.Throws<InvalidDataException>(() => Payload.Parse("# nothing\n"));
    }

    [Fact]
    public void FirstUseUnpacksTheChosenBuildAndTheLibrariesBesideTheLauncherOnce()
    {
        string tool = ToolDirectory();
        Assert.Equal(tool, ToolLauncher.Prepare(tool, Manifest(tool), ToolLauncher.V4, Env));
        AssertUnpacked(tool, ToolLauncher.V4, "libSkiaSharp.so", "libe_sqlite3.so");
        Assert.False(File.Exists(Path.Combine(tool, ToolLauncher.V3)), "the build not chosen was unpacked too");

        // The second start finds everything in place and writes nothing.
        var written = File.GetLastWriteTimeUtc(Path.Combine(tool, ToolLauncher.V4));
        Thread.Sleep(20);
        Assert.Equal(tool, ToolLauncher.Prepare(tool, Manifest(tool), ToolLauncher.V4, Env));
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(tool, ToolLauncher.V4)));
        Assert.Empty(ToolLauncher.Missing(tool, [.. Manifest(tool).Files.Where(f => f.Name != ToolLauncher.V3)]));
    }

    [Fact]
    public void ADamagedOrPartialFileIsUnpackedAgainAndALeftoverTemporaryFileIsHarmless()
    {
        string tool = ToolDirectory();
        ToolLauncher.Prepare(tool, Manifest(tool), ToolLauncher.V3, Env);
        // Truncated (a full disk, a copy cut short), not executable, and a temporary file an interrupted start left.
        using (var stream = File.OpenWrite(Path.Combine(tool, "libSkiaSharp.so"))) stream.SetLength(1000);
        File.SetUnixFileMode(Path.Combine(tool, ToolLauncher.V3), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllBytes(Path.Combine(tool, ToolLauncher.V4 + ".4242-0badf00d.tmp"), new byte[10]);
        Assert.Equal(2, ToolLauncher.Missing(tool, [.. Manifest(tool).Files]).Count(f => f.Name != ToolLauncher.V4));
        ToolLauncher.Prepare(tool, Manifest(tool), ToolLauncher.V4, Env);
        ToolLauncher.Prepare(tool, Manifest(tool), ToolLauncher.V3, Env);
        File.Delete(Path.Combine(tool, ToolLauncher.V4 + ".4242-0badf00d.tmp"));
        AssertUnpacked(tool, ToolLauncher.V3, ToolLauncher.V4, "libSkiaSharp.so", "libe_sqlite3.so");
    }

    [Fact]
    public void ADamagedPackageIsAnErrorThatSaysToReinstall()
    {
        string tool = ToolDirectory();
        byte[] packed = File.ReadAllBytes(Path.Combine(tool, ToolLauncher.V4 + ".br"));
        File.WriteAllBytes(Path.Combine(tool, ToolLauncher.V4 + ".br"), packed[..(packed.Length / 2)]);
        var e = Assert.Throws<LaunchException>(() => ToolLauncher.Prepare(tool, Manifest(tool), ToolLauncher.V4, Env));
        Assert.Contains("is damaged", e.Message, StringComparison.Ordinal);
        Assert.Contains("dotnet tool install -g Descent.Cli", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(tool, ToolLauncher.V4)));
        Assert.Empty(Directory.GetFiles(tool, "*.tmp"));
    }

    [Fact]
    public void WhereTheToolDirectoryCannotBeWrittenItUnpacksIntoThePerUserCache()
    {
        string tool = ToolDirectory();
        // A directory where the build should go: renaming onto it fails as writing a read-only directory does (even as root).
        Directory.CreateDirectory(Path.Combine(tool, ToolLauncher.V4, "blocker"));
        _environment["HOME"] = Path.Combine(_root, "home");
        string cache = ToolLauncher.Prepare(tool, Manifest(tool), ToolLauncher.V4, Env);
        Assert.Equal(Path.Combine(_root, "home", ".cache", "descent", Manifest(tool).Key), cache);
        // Everything the build loads is beside it there: the native libraries too.
        AssertUnpacked(cache, ToolLauncher.V4, "libSkiaSharp.so", "libe_sqlite3.so");
        Assert.Equal(cache, ToolLauncher.Prepare(tool, Manifest(tool), ToolLauncher.V4, Env));

        _environment["XDG_CACHE_HOME"] = Path.Combine(_root, "xdg");
        Assert.Equal(Path.Combine(_root, "xdg", "descent", Manifest(tool).Key), ToolLauncher.Prepare(tool, Manifest(tool), ToolLauncher.V4, Env));
        _environment.Clear();
        var e = Assert.Throws<LaunchException>(() => ToolLauncher.Prepare(tool, Manifest(tool), ToolLauncher.V4, Env));
        Assert.Contains("neither HOME nor XDG_CACHE_HOME", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartsRacingOnTheFirstUseAllGetTheWholeFile()
    {
        string tool = ToolDirectory();
        var payload = Manifest(tool);
        var results = new string[8];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            results[i] = ToolLauncher.Prepare(tool, payload, ToolLauncher.V4, Env));
        Assert.All(results, r => Assert.Equal(tool, r));
        AssertUnpacked(tool, ToolLauncher.V4, "libSkiaSharp.so", "libe_sqlite3.so");
    }

    [Fact]
    public void RunExecsTheChosenBuildWithTheSameArgumentsAndFallsBackToV3()
    {
        string tool = ToolDirectory();
        var calls = new List<(string Path, string[] Argv, string Reason)>();
        var errors = new List<string>();
        int Exec(string path, string[] argv, string reason)
        {
            calls.Add((path, argv, reason));
            return 8;   // ENOEXEC: as if the file could not be run
        }
        int code = ToolLauncher.Run(tool, "/home/u/.dotnet/tools/descent", ["grad", "x^2", "--at", "x=3"], Env, Exec, errors.Add, () => true, () => true);
        Assert.Equal(1, code);
        Assert.Equal(2, calls.Count);
        Assert.Equal((Path.Combine(tool, ToolLauncher.V4), "x86-64-v4: this build uses AVX-512"), (calls[0].Path, calls[0].Reason));
        Assert.Equal(["/home/u/.dotnet/tools/descent", "grad", "x^2", "--at", "x=3"], calls[0].Argv);
        Assert.Equal(Path.Combine(tool, ToolLauncher.V3), calls[1].Path);
        Assert.StartsWith($"x86-64-v3: could not start {ToolLauncher.V4} (", calls[1].Reason, StringComparison.Ordinal);
        Assert.Equal(calls[0].Argv, calls[1].Argv);
        Assert.StartsWith("descent: cannot start: " + Path.Combine(tool, ToolLauncher.V3), Assert.Single(errors), StringComparison.Ordinal);

        // DOTNET_EnableAVX512=0: v3 only, and the reason says so.
        calls.Clear();
        _environment["DOTNET_EnableAVX512"] = "0";
        ToolLauncher.Run(tool, "descent", [], Env, Exec, errors.Add, () => true, () => true);
        Assert.Equal((Path.Combine(tool, ToolLauncher.V3), "x86-64-v3: DOTNET_EnableAVX512=0"), (Assert.Single(calls).Path, calls[0].Reason));
    }

    [Fact]
    public void ACpuWithoutX8664V3IsToldWhatItLacksAndWhatToDoInsteadOfStartingABuild()
    {
        string tool = ToolDirectory();
        var calls = new List<string>();
        var errors = new List<string>();
        int code = ToolLauncher.Run(tool, "descent", ["grad", "x^2"], Env, (path, _, _) => { calls.Add(path); return 0; }, errors.Add,
            () => false, () => false, cpuRunsV3: () => false);
        Assert.Equal(1, code);
        Assert.Empty(calls);
        string message = Assert.Single(errors);
        Assert.Contains("AVX2", message, StringComparison.Ordinal);
        Assert.Contains("dotnet run -c Release --project src/Descent.Cli", message, StringComparison.Ordinal);

        // CPUID agrees with the kernel's own reading of it (/proc/cpuinfo's flags), on whatever CPU runs the tests.
        if (System.Runtime.Intrinsics.X86.X86Base.IsSupported && File.Exists("/proc/cpuinfo"))
        {
            string flagsLine = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal));
            string[] flags = flagsLine[(flagsLine.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            bool expected = new[] { "avx2", "bmi1", "bmi2", "fma", "movbe", "abm" }.All(f => flags.Contains(f));
            Assert.Equal(expected, ToolLauncher.CpuRunsV3());
        }
    }

    [Fact]
    public void WithoutAManifestRunSaysToReinstall()
    {
        var errors = new List<string>();
        Assert.Equal(1, ToolLauncher.Run(_root, "descent", [], Env, (_, _, _) => 0, errors.Add));
        Assert.Contains("reinstall", Assert.Single(errors), StringComparison.Ordinal);
    }
}
