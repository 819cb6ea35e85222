namespace Descent.Cli.Infrastructure;

/// <summary>
/// Checks a command's output files before it starts working, so a bad path never costs a finished run: the extension
/// (figures: .png or .svg), the folder (an existing folder we can write in, or one that can be created), and that no
/// output is one of the command's input files (or another output) — compared as full paths with symbolic links
/// resolved, so <c>--checkpoint data.csv</c> or a link to it cannot overwrite the data.
/// </summary>
public static class OutputFiles
{
    /// <summary>The figure extensions <see cref="Descent.Plotting.Figures"/> writes.</summary>
    public static readonly string[] FigureExtensions = [".png", ".svg"];

    /// <summary>One file a command reads or writes: the option that named it and the path (null: not given).</summary>
    /// <param name="Option">The option (or argument) that named the file, for messages.</param>
    /// <param name="Path">The path as given, or null when the option was not used.</param>
    public readonly record struct Named(string Option, string? Path);

    /// <summary>
    /// Checks <paramref name="outputs"/> against each other and against <paramref name="inputs"/>, and that each can be
    /// written. <paramref name="allowed"/> lists (output option, input option) pairs that may name the same file on
    /// purpose (<c>--checkpoint</c> and <c>--resume</c>: the checkpoint is read first, then replaced atomically).
    /// </summary>
    /// <exception cref="UsageException">An output is an input or another output, or cannot be written.</exception>
    public static void Check(IReadOnlyList<Named> outputs, IReadOnlyList<Named> inputs, params (string Output, string Input)[] allowed)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        var given = outputs.Where(o => o.Path is not null).ToList();
        foreach (var output in given) Writable(output.Option, output.Path!);
        for (int i = 0; i < given.Count; i++)
        {
            string a = Canonical(given[i].Path!);
            foreach (var input in inputs.Where(x => x.Path is not null))
            {
                if (allowed.Contains((given[i].Option, input.Option))) continue;
                if (Same(a, Canonical(input.Path!)))
                    throw new UsageException($"{given[i].Option} '{given[i].Path}' is the same file as {input.Option} '{input.Path}': writing it would destroy that input; choose another file for {given[i].Option}.");
            }
            for (int j = i + 1; j < given.Count; j++)
                if (Same(a, Canonical(given[j].Path!)))
                    throw new UsageException($"{given[i].Option} '{given[i].Path}' and {given[j].Option} '{given[j].Path}' are the same file: one would overwrite the other; give each its own file.");
        }
    }

    /// <summary>Checks a figure path: .png or .svg, in a folder that can be written.</summary>
    /// <exception cref="UsageException">The extension is not supported or the folder cannot be written.</exception>
    public static void Figure(string option, string? path)
    {
        if (path is null) return;
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (!FigureExtensions.Contains(extension))
            throw new UsageException($"{option} '{path}': a figure is written as .png or .svg, not '{(extension.Length == 0 ? "(no extension)" : extension)}'; e.g. {option} {Path.ChangeExtension(path, ".png")}.");
        Writable(option, path);
    }

    /// <summary>
    /// Checks that a file can be created at <paramref name="path"/>: it is not a folder, and its folder exists and takes
    /// a new file (tried with a temporary file that is deleted at once), or can be created under the nearest existing one.
    /// </summary>
    /// <exception cref="UsageException">It cannot.</exception>
    public static void Writable(string option, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith(Path.AltDirectorySeparatorChar))
            throw new UsageException($"{option} '{path}': give a file name.");
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"{option} '{path}': not a usable path ({e.Message}).");
        }
        if (Directory.Exists(full)) throw new UsageException($"{option} '{path}' is a folder; give a file name inside it, e.g. {Path.Combine(path, "out" + (Path.GetExtension(path) is { Length: > 0 } x ? x : ""))}.");
        WritableFolder(option, Path.GetDirectoryName(full) ?? full, path);
    }

    /// <summary>Checks that files can be written in <paramref name="folder"/> (or that it can be created).</summary>
    /// <exception cref="UsageException">They cannot.</exception>
    public static void WritableFolder(string option, string folder, string? shown = null)
    {
        shown ??= folder;
        string existing = Path.GetFullPath(folder);
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
                throw new UsageException($"{option} '{shown}': '{existing}' is a file, not a folder; choose a path in a folder.");
            string? parent = Path.GetDirectoryName(existing);
            if (parent is null) throw new UsageException($"{option} '{shown}': no such folder and none of its parents exists.");
            existing = parent;
        }
        string probe = Path.Combine(existing, ".descent-write-test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string why = e is UnauthorizedAccessException ? "permission denied" : "a new file could not be created there";
            throw new UsageException($"{option} '{shown}': cannot write in the folder '{existing}' ({why}); choose a folder you can write to.");
        }
    }

    /// <summary>
    /// The full path with every symbolic link along it resolved (as far as the path exists), for comparing files.
    /// </summary>
    public static string Canonical(string path)
    {
        string full = Path.GetFullPath(path);
        string root = Path.GetPathRoot(full) ?? "";
        string current = root;
        var parts = full[root.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            current = Path.Combine(current, parts[i]);
            try
            {
                FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
                if (info.Exists && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
                    current = Path.GetFullPath(target.FullName);
            }
            catch (IOException) { } // a loop of links or an unreadable entry: compare what we have
            catch (UnauthorizedAccessException) { }
        }
        return current;
    }

    private static bool Same(string a, string b)
        => string.Equals(a, b, OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
