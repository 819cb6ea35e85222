using System.Diagnostics;
using Descent.Cli.Infrastructure;

namespace Descent.Cli.Tests;

/// <summary>
/// Bad input (issue 12): every case ends with the documented exit code and a one-line message that names the option or
/// file and the fix — no stack trace, no .NET type or parameter names, no library wording — and loses nothing.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-bad-input-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    /// <summary>The seven-row CSV of the issue (y = x + 1).</summary>
    private string SevenRows() => File("seven.csv", "x,y\n1,2\n2,3\n3,4\n4,5\n5,6\n6,7\n7,8\n");

    /// <summary>Runs the CLI and checks the common contract: code, the message's words, and no leaked internals.</summary>
    private static string Fails(int code, string[] args, params string[] words)
    {
        var (actual, output, error) = Cli.Run(args);
        Assert.True(code == actual, $"exit {actual}, expected {code}\nstdout: {output}\nstderr: {error}");
        // Notes (e.g. the inferred task) may come first; the error is the first line that is not a note.
        Assert.StartsWith("error: ", string.Join('\n', error.Split('\n').SkipWhile(l => l.StartsWith("note: ", StringComparison.Ordinal))), StringComparison.Ordinal);
        foreach (var word in words) Assert.Contains(word, error, StringComparison.Ordinal);
        foreach (var leak in (string[])["System.", "(Parameter '", "Actual value was", "   at ", "internal error", "Exception"])
            Assert.DoesNotContain(leak, error, StringComparison.Ordinal);
        return error;
    }

    // ---- option values that do not parse: one cause (System.CommandLine's type names), one theory ----------------

    [Theory]
    [InlineData("--lr expects a number, got 'abc'", "minimize", "w^2", "--start", "w=1", "--lr", "abc")]
    [InlineData("--lr expects a finite number, got '1e400'", "minimize", "w^2", "--start", "w=1", "--lr", "1e400")]
    [InlineData("--lr expects a finite number, got 'Infinity'", "fit", "--lr", "Infinity")]
    [InlineData("--val-split expects a finite number, got '-Infinity'", "sweep", "fit", "--epochs", "1", "--val-split", "-Infinity")]
    [InlineData("--epochs expects a whole number, got '3.5'", "fit", "--epochs", "3.5")]
    [InlineData("--epochs expects a whole number up to 2147483647, got '1e12'", "fit", "--epochs", "1e12")]
    [InlineData("--val-split expects a finite number, got 'NaN'", "fit", "--val-split", "NaN")]
    [InlineData("--steps expects a whole number, got 'many'", "minimize", "w^2", "--start", "w=1", "--steps", "many")]
    [InlineData("--seed expects a whole number, got '0x10'", "fit", "--seed", "0x10")]
    [InlineData("--port expects a whole number, got '80.5'", "dashboard", "--port", "80.5")]
    [InlineData("'show' expects a whole number as its argument, got 'abc'", "runs", "show", "abc")]
    public void OptionValuesThatDoNotParseNameTheOptionAndTheForm(string expected, params string[] args) => Fails(ExitCodes.Usage, args, expected);

    [Fact]
    public void WholeNumbersWrittenWithAnExponentAreAccepted()
    {
        var (code, json) = Cli.Json("minimize", "w^2", "--start", "w=10", "--lr", "0.3", "--steps", "5e0");
        Assert.Equal(0, code);
        Assert.Equal(6, json["trajectory"]!.AsArray().Count);
    }

    // ---- settings out of range: errors naming the key and the range, never clamped or leaked ------------------------

    [Theory]
    [InlineData("--optimizer", "adam:beta1=2", "--optimizer 'adam:beta1=2': beta1 must be in [0, 1), but was 2.")]
    [InlineData("--optimizer", "rmsprop:alpha=-1", "--optimizer 'rmsprop:alpha=-1': alpha")]
    [InlineData("--stop", "plateau:window=1e300", "window must be a whole number from 2 to 1000000, not '1e300'")]
    [InlineData("--stop", "plateau:window=1", "window must be a whole number from 2 to 1000000, not '1'")]
    [InlineData("--stop", "plateau:slope=0", "slope must be above 0")]
    [InlineData("--stop", "patience:0", "epochs must be a whole number from 1 to 2147483647, not '0'")]
    [InlineData("--stop", "time:1e300", "seconds must be above 0 and at most 1E+09")]
    [InlineData("--stop", "max-steps:-1", "steps must be a whole number from 0")]
    [InlineData("--schedule", "step:every=0", "every must be a whole number from 1")]
    [InlineData("--schedule", "step:every=10,factor=2", "factor must be above 0 and at most 1")]
    [InlineData("--schedule", "cosine:0", "steps must be a whole number from 1")]
    [InlineData("--schedule", "exponential:gamma=-1", "--schedule 'exponential:gamma=-1': gamma")]
    public void SettingsOutOfRangeAreErrorsNotClamps(string option, string value, string expected)
    {
        Fails(ExitCodes.Usage, ["minimize", "w^2", "--start", "w=1", option, value], expected);
        Fails(ExitCodes.Usage, ["fit", "--epochs", "1", option, value], expected);
    }

    // ---- upper bounds: nothing may ask for unbounded work ---------------------------------------------------------

    [Theory]
    [InlineData("n must be a whole number from 1 to 10000000, not 1E+12", "fit", "--data", "synthetic:moons?n=1e12")]
    [InlineData("n must be a whole number from 1 to 10000000, not 0.5", "fit", "--data", "synthetic:moons?n=0.5")]
    [InlineData("classes must be a whole number from 2 to 1000", "fit", "--data", "synthetic:blobs?classes=1e9")]
    [InlineData("classes must be a whole number from 2 to 1000", "fit", "--data", "synthetic:spirals?classes=1")]
    [InlineData("features must be a whole number from 1 to 10000", "fit", "--data", "synthetic:linear?features=1e6")]
    [InlineData("n × features", "fit", "--data", "synthetic:linear?n=1e7&features=100")]
    [InlineData("noise must be 0 or more", "fit", "--data", "synthetic:moons?noise=-1")]
    [InlineData("--hidden '100001'", "fit", "--data", "synthetic:moons", "--model", "mlp", "--hidden", "100001")]
    [InlineData("at most 100000000 are accepted", "fit", "--data", "synthetic:moons", "--model", "mlp", "--hidden", "100000,100000")]
    [InlineData("--random 100000: use 1 to 100 trials", "sweep", "minimize", "w^2", "--start", "w=1", "--random", "100000")]
    [InlineData("spans 601 decades", "sweep", "minimize", "w^2", "--start", "w=1", "--lr", "1e-300..1e300")]
    [InlineData("spans 601 decades", "sweep", "fit", "--lr", "1e-300..1e300")]
    [InlineData("--starts 100000: use 1 to 10000 starts", "minimize", "w^2", "--start", "w=1", "--starts", "100000")]
    [InlineData("--folds 100: k-fold cross-validation needs at least one row per fold, and the data has 7 rows", "sweep", "fit", "--folds", "100")]
    [InlineData("--optimizer 'random-search:radius=-1': radius must be above 0", "minimize", "w^2", "--start", "w=1", "--optimizer", "random-search:radius=-1")]
    [InlineData("--plot draws functions of 1 or 2 variables; this one has 3", "minimize", "x^2+y^2+z^2", "--start", "x=1,y=1,z=1", "--steps", "2000000000", "--plot", "p.png")]
    public void WorkIsBounded(string expected, params string[] args) => Fails(ExitCodes.Usage, args, expected);

    // ---- what used to be internal errors (exit 1) ----------------------------------------------------------------

    [Fact]
    public void ConstantsHaveNothingToMinimize()
    {
        Fails(ExitCodes.Input, ["minimize", "3", "--start", "w=1"], "'3' has no variables", "nothing to minimize");
        Fails(ExitCodes.Input, ["sweep", "minimize", "3", "--start", "w=1"], "'3' has no variables");
        var (code, json) = Cli.Json("grad", "3", "--at", "w=1");
        Assert.Equal(0, code);
        Assert.Equal(0, (double)json["gradient"]!["w"]!);
    }

    [Theory]
    [InlineData(0.99, "leaves 0 of 7 examples for training and 7 for validation")]
    [InlineData(0.01, "leaves 7 of 7 examples for training and 0 for validation")]
    public void ValidationSplitsThatLeaveASideEmptyAreRefused(double split, string expected)
        => Fails(ExitCodes.Usage, ["fit", "--data", SevenRows(), "--val-split", split.ToString(System.Globalization.CultureInfo.InvariantCulture)], expected, "--val-split");

    [Theory]
    [InlineData("5", "holds a JSON number, not a saved run")]
    [InlineData("[1,2]", "holds a JSON list, not a saved run")]
    [InlineData("null", "holds JSON null")]
    [InlineData("{\"trajectory\":[1,2]}", "entry 0 of \"trajectory\" is a JSON number")]
    [InlineData("{\"trajectory\":{}}", "\"trajectory\" must be a non-empty list")]
    [InlineData("{\"trajectory\":[]}", "\"trajectory\" must be a non-empty list of entries, but it is empty")]
    [InlineData("{\"trajectory\":[{\"value\":\"abc\"}]}", "\"value\" of entry 0 of \"trajectory\" is \"abc\", not a number")]
    [InlineData("{\"history\":[null]}", "entry 0 of \"history\" is null")]
    [InlineData("{\"history\":[{\"train_loss\":1},7]}", "entry 1 of \"history\" is a JSON number")]
    [InlineData("{\"trials\":[{\"learning_rate\":[1]}]}", "\"learning_rate\" of entry 0 of \"trials\" is [1], not a number")]
    [InlineData("{\"other\":1}", "has no trajectory, history or trials")]
    [InlineData("not json", "is not JSON")]
    public void PlotExplainsFilesThatAreNotSavedRuns(string content, string expected)
    {
        string path = File("run.json", content);
        Fails(ExitCodes.Input, ["plot", path], expected, path);
        Assert.False(System.IO.File.Exists(Path.ChangeExtension(path, ".png")));
    }

    [Fact]
    public void PlotReadsAtMostItsLimitOfAnEndlessFile()
    {
        if (!System.IO.File.Exists("/dev/zero")) return; // nothing endless to read elsewhere
        Fails(ExitCodes.Input, ["plot", "/dev/zero", "--out", Path.Combine(_dir, "z.png")], "is larger than 64 MB");
    }

    // ---- messages that were wrong, silent or leaked --------------------------------------------------------------

    [Theory]
    [InlineData(ExitCodes.Input, "f = log(w) is undefined (NaN) at the start point w=-1", "minimize", "log(w)", "--start", "w=-1")]
    [InlineData(ExitCodes.Input, "f = 1/w is Infinity at the start point w=0", "minimize", "1/w", "--start", "w=0")]
    [InlineData(ExitCodes.Input, "f = sqrt(w) is undefined (NaN) at the start point w=-4", "sweep", "minimize", "sqrt(w)", "--start", "w=-4")]
    [InlineData(ExitCodes.Input, "f = log(x)*y is undefined (NaN) at x=-1,y=1", "hessian", "log(x)*y", "--at", "x=-1,y=1")]
    [InlineData(ExitCodes.Input, "f = sqrt(x) has no finite Hessian at x=0", "hessian", "sqrt(x)", "--at", "x=0")]
    [InlineData(ExitCodes.Usage, "--wrt '': not a variable name", "diff", "x^2", "--wrt", "")]
    [InlineData(ExitCodes.Usage, "--wrt 'sin': not a variable name", "diff", "x^2", "--wrt", "sin")]
    [InlineData(ExitCodes.Usage, "--hidden sets the hidden layers of --model mlp; the model here is linear", "fit", "--hidden", "8")]
    [InlineData(ExitCodes.Usage, "--hidden sets the hidden layers of --model mlp; the model here is logistic", "fit", "--data", "synthetic:moons", "--hidden", "8")]
    [InlineData(ExitCodes.Usage, "--loss bce needs targets between 0 and 1, but the target here is numeric", "fit", "--loss", "bce")]
    [InlineData(ExitCodes.Usage, "--loss cross-entropy needs class labels", "fit", "--data", "synthetic:linear", "--loss", "cross-entropy")]
    [InlineData(ExitCodes.Usage, "--loss hinge needs labels −1/1", "fit", "--loss", "hinge")]
    public void WrongOrSilentAnswersAreNowErrors(int code, string expected, params string[] args) => Fails(code, args, expected);

    [Fact]
    public void ClassificationLossesOnZeroOneTargetsStillTrain()
    {
        string path = File("probabilities.csv", "x,p\n0,0\n1,0.25\n2,0.5\n3,1\n");
        var (code, _, error) = Cli.Run("fit", "--data", path, "--loss", "bce", "--epochs", "2");
        Assert.True(code == 0, error);
    }

    [Fact]
    public void DifferentiatingByAnAbsentVariableSaysSo()
    {
        var (code, output, error) = Cli.Run("diff", "x^2", "--wrt", "q");
        Assert.Equal(0, code);
        Assert.Contains("d/dq [x^2] = 0", output, StringComparison.Ordinal);
        Assert.Contains("note: q does not occur in x^2, so the derivative is 0 (its variables: x).", error, StringComparison.Ordinal);
        var (_, json) = Cli.Json("diff", "x^2", "--wrt", "q");
        Assert.Contains("does not occur", (string)json["note"]!, StringComparison.Ordinal);
        Assert.Null(Cli.Json("diff", "x^2", "--wrt", "x").Json["note"]);
    }

    [Fact]
    public void ATinyLearningRateIsStalledNotOscillating()
    {
        var (code, json) = Cli.Json("minimize", "w^2", "--start", "w=1", "--lr", "1e-300");
        Assert.Equal(0, code);
        Assert.Equal("stalled", (string)json["stop_reason"]!);
        var (_, output, _) = Cli.Run("minimize", "w^2", "--start", "w=1", "--lr", "1e-300");
        Assert.Contains("no progress", output, StringComparison.Ordinal);
        Assert.Equal("oscillating", (string)Cli.Json("minimize", "w^2", "--start", "w=1", "--lr", "1").Json["stop_reason"]!);
    }

    [Theory]
    [InlineData("x*(1e308+1e308)", "x", "d/dx [x*(1E+308 + 1E+308)] = 1E+308 + 1E+308")]
    [InlineData("1e308*1E3*x", "x", "= 1E+308*1000")]
    public void OverflowingConstantsAreDifferentiated(string expression, string variable, string expected)
    {
        var (code, output, error) = Cli.Run("diff", expression, "--wrt", variable);
        Assert.True(code == 0, error);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    // ---- your own files: never overwritten, outputs checked before any work ---------------------------------------

    [Fact]
    public void AnOutputThatIsAnInputIsRefusedAndTheInputKept()
    {
        string data = SevenRows();
        string before = System.IO.File.ReadAllText(data);
        string link = Path.Combine(_dir, "link.csv");
        System.IO.File.CreateSymbolicLink(link, data);
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, data);
        Fails(ExitCodes.Usage, ["fit", "--data", data, "--checkpoint", data], "--checkpoint", "is the same file as --data", "choose another file");
        Fails(ExitCodes.Usage, ["fit", "--data", data, "--checkpoint", link], "is the same file as --data");
        Fails(ExitCodes.Usage, ["fit", "--data", relative, "--checkpoint", Path.Combine(_dir, ".", "seven.csv")], "is the same file as --data");
        Fails(ExitCodes.Usage, ["fit", "--data", data, "--track", link], "--track", "is the same file as --data");
        Fails(ExitCodes.Usage, ["fit", "--data", data, "--plot", Path.ChangeExtension(data, ".png"), "--checkpoint", Path.ChangeExtension(data, ".png")], "are the same file");
        Fails(ExitCodes.Usage, ["sweep", "fit", "--data", data, "--track", data], "is the same file as --data");
        string run = File("run.json", "{\"trajectory\":[{\"value\":1}]}");
        string svg = Path.ChangeExtension(run, ".svg");
        System.IO.File.Move(run, svg);
        Fails(ExitCodes.Usage, ["plot", svg, "--out", svg], "--out", "is the same file as RUN");
        Assert.Equal(before, System.IO.File.ReadAllText(data));
        Assert.Equal("{\"trajectory\":[{\"value\":1}]}", System.IO.File.ReadAllText(svg));
    }

    [Fact]
    public void ACheckpointMayContinueTheFileItResumes()
    {
        string checkpoint = Path.Combine(_dir, "run.ckpt");
        Assert.Equal(0, Cli.Run("fit", "--epochs", "2", "--checkpoint", checkpoint).Code);
        var (code, _, error) = Cli.Run("fit", "--epochs", "3", "--checkpoint", checkpoint, "--resume", checkpoint);
        Assert.True(code == 0, error);
    }

    /// <summary>
    /// A bad output path is refused before training: a million-epoch fit returns at once and its checkpoint was
    /// never written (the first epoch would have written it).
    /// </summary>
    [Theory]
    [InlineData("--plot", "p.bmp", "a figure is written as .png or .svg, not '.bmp'")]
    [InlineData("--plot", "p", "not '(no extension)'")]
    [InlineData("--plot", "/proc/descent-no-such/p.png", "cannot write in the folder '/proc'")]
    [InlineData("--plot", "/proc/version/p.png", "is a file, not a folder")]
    [InlineData("--checkpoint", "FOLDER", "is a folder")]
    [InlineData("--track", "/proc/descent-no-such/runs.db", "cannot write in the folder")]
    [InlineData("--checkpoint", "/proc/descent-no-such/c.ckpt", "cannot write in the folder")]
    public void OutputsAreCheckedBeforeTraining(string option, string path, string expected)
    {
        if (path.StartsWith("/proc", StringComparison.Ordinal) && !Directory.Exists("/proc")) return; // Linux only: a folder even root cannot write in
        path = path == "FOLDER" ? _dir : path.Contains('/', StringComparison.Ordinal) ? path : Path.Combine(_dir, path);
        string checkpoint = Path.Combine(_dir, "first-epoch.ckpt");
        string[] args = option == "--checkpoint" ? ["fit", "--epochs", "1000000", option, path] : ["fit", "--epochs", "1000000", "--checkpoint", checkpoint, option, path];
        var clock = Stopwatch.StartNew();
        Fails(ExitCodes.Usage, args, option, expected);
        Assert.False(System.IO.File.Exists(checkpoint), "training started before the output was checked");
        if (option == "--plot")
        {
            Fails(ExitCodes.Usage, ["minimize", "w^2", "--start", "w=1", "--steps", "2000000000", option, path], expected);
            Fails(ExitCodes.Usage, ["sweep", "minimize", "w^2", "--start", "w=1", option, path], expected);
            Fails(ExitCodes.Usage, ["sweep", "fit", "--epochs", "1000000", option, path], expected);
            Fails(ExitCodes.Usage, ["plot", File("r.json", "{\"trajectory\":[{\"value\":1}]}"), "--out", path], "--out", expected);
        }
    }

    [Fact]
    public void DemoAndGraphCheckTheirOutputFirst()
    {
        if (!Directory.Exists("/proc")) return;
        Fails(ExitCodes.Usage, ["demo", "all", "--out", "/proc/descent-no-such"], "--out", "cannot write in the folder");
        string file = File("not-a-folder", "x");
        Fails(ExitCodes.Usage, ["demo", "parabola", "--out", file], "--out", "is a file, not a folder");
        Fails(ExitCodes.Usage, ["graph", "x^2", "--at", "x=1", "--out", "/proc/descent-no-such/g.dot"], "--out", "cannot write in the folder");
    }

    // ---- graph: atomic, bounded, killable --------------------------------------------------------------------------

    private string FakeDot(string body)
    {
        string path = File("fake-dot", "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>A dot that writes half a file and fails (as on a full disk) leaves the existing file as it was, and no temporary file.</summary>
    [Fact]
    public void AFailedSvgWriteKeepsTheOldFile()
    {
        if (OperatingSystem.IsWindows()) return; // the fake dot is a shell script
        string target = File("graph.svg", "<svg>old</svg>");
        // dot's arguments: -Tsvg -o FILE
        string dot = FakeDot("printf 'partial' > \"$3\"; echo 'No space left on device' >&2; exit 1");
        var e = Assert.Throws<InputException>(() => Graphviz.RenderSvg("digraph { a -> b }", target, TimeSpan.FromSeconds(20), CancellationToken.None, dot));
        Assert.Contains("No space left on device", e.Message, StringComparison.Ordinal);
        Assert.Contains("was left as it was", e.Message, StringComparison.Ordinal);
        Assert.Equal("<svg>old</svg>", System.IO.File.ReadAllText(target));
        Assert.Equal(["fake-dot", "graph.svg"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // A dot that succeeds replaces the file whole.
        string good = FakeDot("cat > /dev/null; printf '<svg>new</svg>' > \"$3\"");
        Graphviz.RenderSvg("digraph { a -> b }", target, TimeSpan.FromSeconds(20), CancellationToken.None, good);
        Assert.Equal("<svg>new</svg>", System.IO.File.ReadAllText(target));
    }

    /// <summary>A dot that never finishes is killed at the timeout, or at once on Ctrl-C (exit 5), with the processes it started.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AHangingDotIsKilled(bool cancel)
    {
        if (OperatingSystem.IsWindows()) return;
        string pidFile = Path.Combine(_dir, "child.pid");
        string dot = FakeDot($"sleep 600 & echo $! > '{pidFile}'; wait");
        using var cts = new CancellationTokenSource();
        if (cancel) cts.CancelAfter(TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();
        Exception e = Assert.ThrowsAny<Exception>(() => Graphviz.RenderSvg("digraph {}", Path.Combine(_dir, "g.svg"), TimeSpan.FromSeconds(cancel ? 60 : 1), cts.Token, dot));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        if (cancel) Assert.IsAssignableFrom<OperationCanceledException>(e);
        else Assert.Contains("did not finish within 1 s", Assert.IsType<InputException>(e).Message, StringComparison.Ordinal);
        int child = int.Parse(System.IO.File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var deadline = Stopwatch.StartNew();
        while (Directory.Exists($"/proc/{child}") && !System.IO.File.ReadAllText($"/proc/{child}/stat").Contains(") Z ", StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromSeconds(10))
            Thread.Sleep(50);
        Assert.True(!Directory.Exists($"/proc/{child}") || System.IO.File.ReadAllText($"/proc/{child}/stat").Contains(") Z ", StringComparison.Ordinal), "dot's child process outlived it");
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    // ---- --augment: the text, the data it needs, and a resume with other draws ----------------------------------

    [Theory]
    [InlineData("rotate=10", "--augment 'rotate=10': unknown item 'rotate=10'; use comma-separated shift=N")]
    [InlineData("shift", "--augment 'shift': shift needs a number of pixels, e.g. shift=2")]
    [InlineData("shift=-2", "--augment 'shift=-2': shift=-2: give a whole number of pixels")]
    [InlineData("hflip,hflip", "hflip is given twice")]
    [InlineData("", "--augment '': empty")]
    public void AugmentTextThatDoesNotParseIsRefusedBeforeAnyDataIsRead(string value, string expected)
        => Fails(ExitCodes.Usage, ["fit", "--data", "/no/such/folder", "--model", "cnn", "--augment", value], expected);

    [Fact]
    public void AugmentNeedsImagesThatTheShiftFitsAndNoPerPixelScaling()
    {
        Fails(ExitCodes.Usage, ["fit", "--data", "synthetic:moons", "--augment", "hflip"], "--augment hflip: shifts and flips are for image data", "no image shape");
        string folder = DTypeTests.MnistFolder(train: 8, test: 2, rows: 4, cols: 5, gzipImages: false);
        try
        {
            Fails(ExitCodes.Usage, ["fit", "--data", folder, "--model", "cnn", "--augment", "shift=4"], "--augment 'shift=4': shift=4: give a whole number of pixels from 0 to 3 for 4×5 images");
            Fails(ExitCodes.Usage, ["fit", "--data", folder, "--model", "mlp", "--scale", "standard", "--augment", "shift=1"], "--augment shift=1:", "drop --scale");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
