namespace Descent.Optimization.Lessons;

/// <summary>A surface or curve that a lesson cannot use: too many variables, an unknown preset, a bad range.</summary>
public sealed class SurfaceException(string message) : Exception(message);
