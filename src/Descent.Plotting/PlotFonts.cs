using ScottPlot;

namespace Descent.Plotting;

/// <summary>
/// Chooses the font every figure is drawn with. ScottPlot renders headless through SkiaSharp, which
/// needs a TrueType font on disk: with none, every title, label and tick silently disappears.
/// Descent therefore registers DejaVu Sans explicitly (Debian/Ubuntu package <c>fonts-dejavu-core</c>)
/// and refuses to draw when no font can be found at all.
/// </summary>
public static class PlotFonts
{
    /// <summary>The family name figures use when DejaVu Sans is installed.</summary>
    public const string DejaVuSans = "DejaVu Sans";

    /// <summary>Where Debian's <c>fonts-dejavu-core</c> installs the regular and bold faces.</summary>
    public static readonly IReadOnlyList<string> SearchFolders =
    [
        "/usr/share/fonts/truetype/dejavu",
        "/usr/share/fonts/dejavu",
        "/usr/local/share/fonts",
        "/Library/Fonts",
        @"C:\Windows\Fonts",
    ];

    private static readonly Lazy<string> s_fontName = new(Resolve, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The font family figures are drawn with; resolved once, on first use.
    /// </summary>
    /// <exception cref="PlottingException">No TrueType font is available; install fonts-dejavu-core.</exception>
    public static string FontName => s_fontName.Value;

    /// <summary>
    /// Makes sure a font is registered with ScottPlot and returns its family name.
    /// Called by every figure before it draws anything.
    /// </summary>
    /// <returns>The font family name set as ScottPlot's default.</returns>
    /// <exception cref="PlottingException">No TrueType font is available; install fonts-dejavu-core.</exception>
    public static string Ensure() => s_fontName.Value;

    /// <summary>Finds DejaVu Sans's regular face in <see cref="SearchFolders"/>, or <see langword="null"/>.</summary>
    internal static string? FindDejaVuSans() =>
        SearchFolders.Select(folder => Path.Combine(folder, "DejaVuSans.ttf")).FirstOrDefault(File.Exists);

    private static string Resolve()
    {
        string? regular = FindDejaVuSans();
        if (regular is not null)
        {
            Fonts.AddFontFile(DejaVuSans, regular, bold: false, italic: false);
            string bold = Path.Combine(Path.GetDirectoryName(regular)!, "DejaVuSans-Bold.ttf");
            Fonts.AddFontFile(DejaVuSans, File.Exists(bold) ? bold : regular, bold: true, italic: false);
            Use(DejaVuSans);
            return DejaVuSans;
        }

        // No DejaVu: accept whatever the system font manager offers, if it offers anything at all.
        string fallback = ChooseFallback([.. SkiaSharp.SKFontManager.Default.FontFamilies]);
        Use(fallback);
        return fallback;
    }

    /// <summary>
    /// The family to use when DejaVu Sans is missing: Liberation Sans if present, else the first one.
    /// </summary>
    /// <exception cref="PlottingException"><paramref name="families"/> is empty.</exception>
    internal static string ChooseFallback(IReadOnlyList<string> families)
    {
        if (families.Count == 0)
        {
            throw new PlottingException(
                "No TrueType font was found, so every title, axis label and tick would be blank. " +
                "Install one: 'apt-get install fonts-dejavu-core' (Debian/Ubuntu) puts DejaVu Sans in " +
                "/usr/share/fonts/truetype/dejavu, where Descent.Plotting looks for it.");
        }
        return families.Contains("Liberation Sans") ? "Liberation Sans" : families[0];
    }

    private static void Use(string family)
    {
        Fonts.Default = family;
        Fonts.Sans = family;
    }
}
