using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Descent.Cli.Infrastructure;

/// <summary>JSON output: numbers that are not finite are written as the strings "NaN", "Infinity", "-Infinity".</summary>
public static class Json
{
    private static readonly JsonSerializerOptions s_options = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A JSON number, or a string for NaN and infinities.</summary>
    public static JsonNode Number(double v) => double.IsNaN(v) ? JsonValue.Create("NaN")
        : double.IsPositiveInfinity(v) ? JsonValue.Create("Infinity")
        : double.IsNegativeInfinity(v) ? JsonValue.Create("-Infinity")
        : JsonValue.Create(v);

    /// <summary>A JSON number or null.</summary>
    public static JsonNode? Number(double? v) => v is double d ? Number(d) : null;

    /// <summary>An array of numbers.</summary>
    public static JsonArray Array(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)Number(v)).ToArray());

    /// <summary>An object of named numbers, in order.</summary>
    public static JsonObject Object(IEnumerable<KeyValuePair<string, double>> values)
    {
        var o = new JsonObject();
        foreach (var (k, v) in values) o[k] = Number(v);
        return o;
    }

    /// <summary>
    /// A value as people read it: strings without quotes, everything else as compact JSON, with <c>&amp;</c>, <c>&lt;</c>,
    /// quotes and non-ASCII letters left as they are (not <c>\u0026</c>); <c>null</c> for a missing value.
    /// </summary>
    public static string Text(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.TryGetValue(out string? s) => s,
        _ => node.ToJsonString(s_compact),
    };

    private static readonly JsonSerializerOptions s_compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="node"/> to <paramref name="output"/> with a final newline.</summary>
    public static void Write(TextWriter output, JsonNode node) => output.WriteLine(node.ToJsonString(s_options));
}
