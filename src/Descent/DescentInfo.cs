namespace Descent;

/// <summary>Library-wide information.</summary>
public static class DescentInfo
{
    /// <summary>The library's version.</summary>
    public static string Version => typeof(DescentInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
