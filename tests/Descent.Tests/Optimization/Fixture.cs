using System.Text.Json;

namespace Descent.Tests.Optimization;

/// <summary>Loads the PyTorch reference files written by Fixtures/make_optimizer_fixtures.py.</summary>
internal static class Fixture
{
    public static JsonElement Load(string fileName)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Optimization", "Fixtures", fileName);
        using var stream = File.OpenRead(path);
        return JsonDocument.Parse(stream).RootElement.Clone();
    }

    public static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];
}
