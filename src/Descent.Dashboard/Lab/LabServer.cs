using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Descent.Differentiation.Expressions;
using Descent.Learning.Data;
using Descent.Learning.Lessons;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Tuning;
using Descent.Optimization;
using Descent.Optimization.Lessons;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Descent.Dashboard.Lab;

/// <summary>
/// The learning lab: a page on 127.0.0.1 where gradient descent can be played with — an optimizer race over a contour
/// map, learning rates on a line, a classification playground and a learning-rate finder. The page only draws; every
/// number comes from the library through small JSON endpoints (<c>/api/surface</c>, <c>/api/race</c>, <c>/api/line</c>,
/// <c>/api/play/…</c>, <c>/api/lrfind</c>), so a URL gives the same lesson every time.
/// </summary>
public sealed class LabServer : IAsyncDisposable
{
    private const int MaxSessions = 16;
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (Playground Play, long Used)> _sessions = new();
    private long _clock;
    private int _nextSession;

    private LabServer(WebApplication app) => _app = app;

    /// <summary>The page's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Starts the lab on 127.0.0.1 at <paramref name="port"/> (0: any free port).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The port is not in 0..65535.</exception>
    /// <exception cref="IOException">The port is taken.</exception>
    public static async Task<LabServer> StartAsync(int port, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        var app = builder.Build();
        var lab = new LabServer(app);
        lab.Map(app);
        try
        {
            await app.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"The lab cannot listen on 127.0.0.1:{port}: {e.Message}", e);
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        lab.Address = new Uri(address.EndsWith('/') ? address : address + "/");
        return lab;
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            // Only loopback names: a page elsewhere that rebinds its DNS name to 127.0.0.1 gets nothing.
            if (context.Request.Host.Host is not ("127.0.0.1" or "localhost" or "[::1]" or "::1"))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers.XFrameOptions = "DENY";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            await next(context).ConfigureAwait(false);
        });
        app.MapGet("/", c => Asset(c, "lab.html", "text/html; charset=utf-8"));
        app.MapGet("/lab.js", c => Asset(c, "lab.js", "text/javascript; charset=utf-8"));
        app.MapGet("/lab.css", c => Asset(c, "lab.css", "text/css; charset=utf-8"));
        app.MapGet("/lib/uPlot.iife.min.js", c => Asset(c, "lib.uPlot.iife.min.js", "text/javascript; charset=utf-8"));
        app.MapGet("/lib/uPlot.min.css", c => Asset(c, "lib.uPlot.min.css", "text/css; charset=utf-8"));
        app.MapGet("/api/surface", c => Answer(c, () => SurfaceJson(c.Request.Query)));
        app.MapPost("/api/race", c => AnswerBody(c, RaceJson));
        app.MapGet("/api/line", c => Answer(c, () => LineJson(c.Request.Query)));
        app.MapPost("/api/play/new", c => AnswerBody(c, NewPlayJson));
        app.MapPost("/api/play/step", c => AnswerBody(c, StepPlayJson));
        app.MapPost("/api/lrfind", c => AnswerBody(c, LrFindJson));
    }

    private static Task Asset(HttpContext context, string name, string type)
    {
        context.Response.ContentType = type;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Descent.Dashboard." + name)
            ?? throw new InvalidOperationException($"The lab's resource '{name}' is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return context.Response.WriteAsync(reader.ReadToEnd(), context.RequestAborted);
    }

    // Every endpoint answers JSON; bad input is a 400 with {"error": sentence, "field": the control it concerns}.
    private static Task Answer(HttpContext context, Func<JsonObject> compute)
    {
        JsonObject result;
        try
        {
            result = compute();
        }
        catch (LabInputException e)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            result = new JsonObject { ["error"] = e.Message, ["field"] = e.Field };
        }
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(result.ToJsonString(), context.RequestAborted);
    }

    private static async Task AnswerBody(HttpContext context, Func<JsonObject, JsonObject> compute)
    {
        JsonObject body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false) as JsonObject ?? [];
        }
        catch (JsonException e)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject { ["error"] = "The request is not JSON: " + e.Message, ["field"] = null }.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
            return;
        }
        await Answer(context, () => compute(body)).ConfigureAwait(false);
    }

    // ---- the race ----

    private static Surface ReadSurface(Func<string, string?> get)
    {
        string? expr = get("expr");
        string preset = get("surface") ?? "quadratic";
        double kappa = Number(get("kappa"), 10, "kappa");
        try
        {
            if (preset == "custom")
            {
                if (string.IsNullOrWhiteSpace(expr)) throw new LabInputException("expr", "Type a function of x and y, e.g. x^2 + 3*y^2.");
                double[]? bounds = get("bounds") is { Length: > 0 } b ? Numbers(b, "bounds") : null;
                return Surface.FromExpression(expr, bounds);
            }
            return Surface.Preset(preset, kappa);
        }
        catch (ExpressionException e)
        {
            throw new LabInputException("expr", e.Message);
        }
        catch (SurfaceException e)
        {
            throw new LabInputException(preset == "custom" ? "expr" : "kappa", e.Message);
        }
    }

    private static JsonObject SurfaceJson(IQueryCollection query)
    {
        var surface = ReadSurface(k => query[k].FirstOrDefault());
        int resolution = (int)Math.Clamp(Number(query["res"].FirstOrDefault(), 90, "res"), 10, 300);
        var result = new JsonObject
        {
            ["name"] = surface.Name,
            ["expression"] = surface.Expression.ToString(),
            ["variables"] = new JsonArray(surface.Variables.Select(v => (JsonNode?)v).ToArray()),
            ["bounds"] = Array(surface.Bounds),
            ["start"] = Array(surface.Start),
            ["minimum"] = surface.Minimum is { } m ? Array(m) : null,
            ["columns"] = resolution,
            ["rows"] = resolution,
            ["grid"] = Array(surface.Grid(resolution, resolution)),
        };
        if (surface.Quadratic is { } q)
        {
            result["quadratic"] = new JsonObject
            {
                ["hessian"] = new JsonArray(Array([q.Hessian[0, 0], q.Hessian[0, 1]]), Array([q.Hessian[1, 0], q.Hessian[1, 1]])),
                ["eigenvalues"] = Array(q.Eigenvalues),
                ["eigenvectors"] = new JsonArray(Array(q.Eigenvectors[0]), Array(q.Eigenvectors[1])),
                ["stabilityBound"] = Num(q.StabilityBound),
                ["optimalRate"] = q.OptimalLearningRate is { } o ? Num(o) : null,
                ["condition"] = Num(q.ConditionNumber),
            };
        }
        return result;
    }

    private static JsonObject RaceJson(JsonObject body)
    {
        var surface = ReadSurface(k => body[k] is JsonValue v ? v.ToString() : null);
        var start = body["start"] is JsonArray s && s.Count == 2 ? new[] { D(s[0], "start"), D(s[1], "start") } : [surface.Start[0], surface.Start[1]];
        int steps = (int)Math.Clamp(D(body["steps"], "steps", 200), 1, 5000);
        bool plateau = body["plateau"] is JsonValue pv && pv.TryGetValue<bool>(out var pb) && pb;
        var contestants = new List<OptimizerSetting>();
        if (body["optimizers"] is JsonArray list)
        {
            for (int i = 0; i < list.Count && i < 8; i++)
            {
                var o = list[i] as JsonObject ?? throw new LabInputException("optimizers", "Each optimizer is an object {kind, lr, b1, b2}.");
                contestants.Add(new OptimizerSetting(o["kind"]?.ToString() ?? "gd", D(o["lr"], $"lr{i}"), D(o["b1"], $"b1{i}", double.NaN), D(o["b2"], $"b2{i}", double.NaN)));
            }
        }
        IReadOnlyList<RacePath> paths;
        try
        {
            paths = Race.Run(surface, start[0], start[1], contestants, new RaceOptions { Steps = steps, StopOnPlateau = plateau });
        }
        catch (ArgumentException e)
        {
            throw new LabInputException("optimizers", e.Message);
        }
        var q = surface.Quadratic;
        return new JsonObject
        {
            ["paths"] = new JsonArray(paths.Select(p => (JsonNode?)new JsonObject
            {
                ["label"] = p.Setting.Label,
                ["kind"] = p.Setting.Kind,
                ["x"] = Array(p.X),
                ["y"] = Array(p.Y),
                ["loss"] = Array(p.Loss),
                ["outcome"] = p.Outcome.ToString().ToLowerInvariant(),
                ["message"] = p.Message,
                ["plateauStep"] = p.PlateauStep,
                ["rates"] = q is null ? null : p.Setting.Kind switch
                {
                    "gd" => Array(q.GradientDescentRates(p.Setting.LearningRate)),
                    "momentum" => Array(q.MomentumRates(p.Setting.LearningRate, p.Setting.EffectiveBeta1)),
                    _ => null,
                },
            }).ToArray()),
        };
    }

    // ---- the line ----

    private static JsonObject LineJson(IQueryCollection query)
    {
        string f = query["f"].FirstOrDefault() is { Length: > 0 } text ? text : "w^2";
        double lr = Number(query["lr"].FirstOrDefault(), 0.1, "lr");
        double w0 = Number(query["w0"].FirstOrDefault(), 2, "w0");
        int steps = (int)Math.Clamp(Number(query["steps"].FirstOrDefault(), 20, "steps"), 1, 500);
        LineDescent run;
        try
        {
            run = LineLesson.Run(f, lr, w0, steps);
        }
        catch (ExpressionException e)
        {
            throw new LabInputException("f", e.Message);
        }
        catch (SurfaceException e)
        {
            throw new LabInputException("f", e.Message);
        }
        catch (ArgumentException e)
        {
            throw new LabInputException("lr", e.Message);
        }
        // The curve drawn under the points: over the points' span (at most ±1e3 around w₀ when it diverges), 200 samples.
        double lo = Math.Min(-Math.Abs(w0), run.W.Min()), hi = Math.Max(Math.Abs(w0), run.W.Max());
        lo = Math.Max(lo, w0 - 1e3);
        hi = Math.Min(hi, w0 + 1e3);
        double pad = 0.1 * (hi - lo) + 1e-6;
        var curve = LineLesson.Sample(f, lo - pad, hi + pad, 200);
        return new JsonObject
        {
            ["w"] = Array(run.W),
            ["loss"] = Array(run.Loss),
            ["slope"] = Array(run.Slope),
            ["verdict"] = run.Verdict.ToString(),
            ["message"] = run.Message,
            ["curve"] = new JsonObject { ["w"] = Array(curve.W), ["loss"] = Array(curve.Loss) },
        };
    }

    // ---- the playground ----

    private static PlaygroundSettings ReadPlay(JsonObject body)
    {
        string hidden = body["hidden"]?.ToString() ?? "8,8";
        int[] layers;
        try
        {
            layers = hidden.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        }
        catch (FormatException)
        {
            throw new LabInputException("hidden", $"Hidden layers are sizes separated by commas, e.g. 8,8 — not '{hidden}'.");
        }
        var settings = new PlaygroundSettings
        {
            Dataset = body["dataset"]?.ToString() ?? "moons",
            Points = (int)D(body["points"], "points", 200),
            Noise = D(body["noise"], "noise", 0.15),
            TestFraction = D(body["test"], "test", 0.3),
            Hidden = layers,
            Activation = body["activation"]?.ToString() ?? "tanh",
            Optimizer = new OptimizerSetting(body["optimizer"]?.ToString() ?? "adam", D(body["lr"], "lr", 0.03)),
            BatchSize = (int)D(body["batch"], "batch", 16),
            L2 = D(body["l2"], "l2", 0),
            Seed = (int)D(body["seed"], "seed", 1),
        };
        try
        {
            settings.Validate();
        }
        catch (ArgumentException e)
        {
            throw new LabInputException(e.Message.Split(':')[0].Replace(" ", "", StringComparison.Ordinal), e.Message);
        }
        return settings;
    }

    private JsonObject NewPlayJson(JsonObject body)
    {
        var play = new Playground(ReadPlay(body));
        string id = "p" + Interlocked.Increment(ref _nextSession);
        _sessions[id] = (play, Interlocked.Increment(ref _clock));
        while (_sessions.Count > MaxSessions)
        {
            var oldest = _sessions.MinBy(kv => kv.Value.Used).Key;
            _sessions.TryRemove(oldest, out _);
        }
        static JsonArray Points(Dataset<double> d)
        {
            var x = d.X.ToArray();
            var y = d.GetLabels();
            return new JsonArray(Enumerable.Range(0, d.Count).Select(i => (JsonNode?)new JsonArray(Num(x[2 * i]), Num(x[2 * i + 1]), y[i])).ToArray());
        }
        var result = PlayState(play, 0, (int)Math.Clamp(D(body["res"], "res", 40), 10, 120));
        result["id"] = id;
        result["bounds"] = Array(play.Bounds);
        result["train"] = Points(play.Train);
        result["test"] = Points(play.Test);
        return result;
    }

    private JsonObject StepPlayJson(JsonObject body)
    {
        string id = body["id"]?.ToString() ?? "";
        if (!_sessions.TryGetValue(id, out var entry)) throw new LabInputException("play", "This playground is gone (the lab keeps the 16 latest); press Reset.");
        _sessions[id] = (entry.Play, Interlocked.Increment(ref _clock));
        int epochs = (int)Math.Clamp(D(body["epochs"], "epochs", 1), 1, 100);
        int from = entry.Play.TrainLoss.Count;
        lock (entry.Play) entry.Play.Step(epochs);
        return PlayState(entry.Play, from, (int)Math.Clamp(D(body["res"], "res", 40), 10, 120));
    }

    private static JsonObject PlayState(Playground play, int from, int resolution)
    {
        lock (play)
        {
            return new JsonObject
            {
                ["epoch"] = play.Epoch,
                ["from"] = from,
                ["trainLoss"] = Array(play.TrainLoss.Skip(from).ToArray()),
                ["testLoss"] = Array(play.TestLoss.Skip(from).ToArray()),
                ["trainAccuracy"] = Num(play.TrainAccuracy),
                ["testAccuracy"] = Num(play.TestAccuracy),
                ["diverged"] = play.Diverged,
                ["resolution"] = resolution,
                // Four decimals of a probability are plenty for a colour, and keep a frame's JSON small.
                ["boundary"] = Array(play.Boundary(resolution).Select(p => Math.Round(p, 4)).ToArray()),
            };
        }
    }

    // ---- the learning-rate finder ----

    private static JsonObject LrFindJson(JsonObject body)
    {
        var settings = ReadPlay(body);
        double min = D(body["min"], "min", 1e-5), max = D(body["max"], "max", 10);
        var data = Playground.Make(settings.Dataset, settings.Points, settings.Noise, settings.Seed);
        var model = new Mlp<double>(2, settings.Hidden, 2, settings.Activation, settings.Seed);
        var kind = settings.Optimizer;
        LearningRateFinderResult result;
        try
        {
            result = LearningRateFinder.Run(model, (p, t) => Loss.SoftmaxCrossEntropy(p, t), s => kind.Kind switch
            {
                "gd" => Optimizers.GradientDescent<double>(s),
                "momentum" => Optimizers.Sgd<double>(s, momentum: kind.EffectiveBeta1),
                "nesterov" => Optimizers.Sgd<double>(s, momentum: kind.EffectiveBeta1, nesterov: true),
                "adagrad" => Optimizers.AdaGrad<double>(s),
                "rmsprop" => Optimizers.RmsProp<double>(s),
                "lion" => Optimizers.Lion<double>(s),
                _ => Optimizers.Adam<double>(s),
            }, DataLoader<double>.MiniBatches(data, settings.BatchSize, settings.Seed), new LearningRateFinderOptions { Min = min, Max = max, Steps = body["steps"] is null ? null : (int)D(body["steps"], "steps") });
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new LabInputException("min", e.Message.Split('(')[0].Trim());
        }
        return new JsonObject
        {
            ["lr"] = Array(result.LearningRates),
            ["loss"] = Array(result.Losses),
            ["smoothed"] = Array(result.Smoothed),
            ["steepest"] = Num(result.Steepest),
            ["lowest"] = Num(result.LowestLoss),
            ["suggested"] = Array([result.Suggested.Low, result.Suggested.High]),
            ["stoppedEarly"] = result.StoppedEarly,
            ["caveat"] = LearningRateFinderResult.Caveat,
        };
    }

    // ---- helpers ----

    private static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    private static JsonArray Array(IReadOnlyList<double> values)
    {
        var nodes = new JsonNode?[values.Count];
        for (int i = 0; i < nodes.Length; i++) nodes[i] = Num(values[i]);
        return new JsonArray(nodes);
    }

    private static double Number(string? text, double fallback, string field)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)) return v;
        throw new LabInputException(field, $"'{text}' is not a number.");
    }

    private static double[] Numbers(string text, string field) =>
        text.Split(',').Select(t => Number(t.Trim(), double.NaN, field)).ToArray();

    // A number from the request; a missing one takes the fallback, or is an error when there is none.
    private static double D(JsonNode? node, string field, double? fallback = null)
    {
        if (node is null) return fallback ?? throw new LabInputException(field, $"{field} is missing.");
        if (node is JsonValue v)
        {
            if (v.TryGetValue<double>(out var d) && double.IsFinite(d)) return d;
            if (v.TryGetValue<string>(out var s)) return string.IsNullOrWhiteSpace(s) && fallback is { } f ? f : Number(s, double.NaN, field);
        }
        throw new LabInputException(field, $"{field}: '{node.ToJsonString()}' is not a number.");
    }

    private sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Bad input from the page: <see cref="Field"/> names the control the message goes next to.</summary>
internal sealed class LabInputException(string? field, string message) : Exception(message)
{
    public string? Field { get; } = field;
}
