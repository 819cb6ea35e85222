using System.Text.Json.Serialization;

namespace Descent.Interop;

/// <summary>Source-generated JSON (trim/AOT-safe) for what this assembly writes.</summary>
[JsonSerializable(typeof(string[]), TypeInfoPropertyName = "StringArray")]
internal sealed partial class InteropJson : JsonSerializerContext;
