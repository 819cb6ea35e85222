using System.Globalization;

namespace Descent.Cli.Launcher;

/// <summary>One file the package carries Brotli-compressed (<c>NAME.br</c>): its name once unpacked, its size and SHA-256.</summary>
internal sealed record PayloadFile(string Name, long Size, string Sha256)
{
    /// <summary>Whether it is one of the program's builds (otherwise a native library).</summary>
    public bool IsExecutable => Name.StartsWith("Descent.Cli.x86-64-", StringComparison.Ordinal);
}

/// <summary>
/// The manifest <c>Descent.Cli.payload</c> beside the launcher, written by the build (src/Descent.Cli/Descent.Cli.csproj):
/// a line per packed file, <c>NAME SIZE SHA256</c> (the unpacked file's), <c>#</c> lines are comments.
/// </summary>
internal sealed record Payload(IReadOnlyList<PayloadFile> Files, string Key)
{
    /// <summary>The manifest's file name.</summary>
    public const string ManifestName = "Descent.Cli.payload";

    /// <summary>Reads a manifest; its <see cref="Key"/> (a hash of the text) names this build's cache directory.</summary>
    public static Payload Parse(string text)
    {
        var files = new List<PayloadFile>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3 || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long size)
                || fields[0].Contains('/', StringComparison.Ordinal) || fields[0] is "." or "..")
                throw new InvalidDataException($"a line is not 'NAME SIZE SHA256': '{line}'");
            files.Add(new PayloadFile(fields[0], size, fields[2]));
        }
        if (files.Count == 0) throw new InvalidDataException("it lists no files");
        // FNV-1a, 64 bits: a different build (another version, other bytes) gets another cache directory.
        ulong hash = 14695981039346656037;
        foreach (char c in text) hash = (hash ^ c) * 1099511628211;
        return new Payload(files, hash.ToString("x16", CultureInfo.InvariantCulture));
    }
}
