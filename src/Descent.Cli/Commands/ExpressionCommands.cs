using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Descent.Autodiff;
using Descent.Cli.Infrastructure;
using Descent.Differentiation;
using Descent.Differentiation.Expressions;
using Descent.Optimization.Minimization;

namespace Descent.Cli.Commands;

/// <summary><c>grad</c>, <c>diff</c>, <c>hessian</c> and <c>graph</c>: derivatives of a typed-in expression.</summary>
public static class ExpressionCommands
{
    private static readonly string[] s_methods = ["reverse", "forward", "numeric", "symbolic", "all"];

    private static Argument<string> ExpressionArgument() => new("EXPR") { Description = "The expression, e.g. \"x^2 + 3*sin(y)\" (functions: sin, cos, exp, log, sqrt, sigmoid, relu, …)." };

    /// <summary><c>descent grad EXPR --at x=1.5,y=-2 [--method reverse|forward|numeric|symbolic|all]</c>.</summary>
    public static Command Grad(CliContext context)
    {
        var expr = ExpressionArgument();
        var at = Options.Text("--at", "The point, e.g. x=1.5,y=-2.");
        var method = Options.Text("--method", "reverse | forward | numeric | symbolic | all (default reverse).");
        var command = new Command("grad", "The value and gradient of an expression at a point, by any differentiation mode.") { expr, at, method };
        command.SetAction(p =>
        {
            var e = ExpressionInput.Parse(p.GetValue(expr)!);
            var point = ExpressionInput.Point(e, "--at", p.GetValue(at));
            string m = (p.GetValue(method) ?? "reverse").ToLowerInvariant();
            if (!s_methods.Contains(m)) throw new UsageException($"--method '{m}': use one of {string.Join(", ", s_methods)}.");
            var names = point.Select(q => q.Key).ToArray();
            var x = point.Select(q => q.Value).ToArray();
            var dict = ExpressionInput.ToDictionary(point);
            double value = e.Evaluate(dict);
            var results = new List<(string Method, double[] Gradient, double Seconds)>();
            foreach (var mode in m == "all" ? s_methods[..4] : [m])
            {
                var clock = Stopwatch.StartNew();
                double[] g = Gradient(e, mode, names, x, dict);
                results.Add((mode, g, clock.Elapsed.TotalSeconds));
            }
            double[] gradient = results[0].Gradient;
            string? nanNote = NonFiniteGradientNote(e, names, x, dict, value, gradient);
            double disagreement = 0;
            foreach (var r in results)
                for (int i = 0; i < names.Length; i++)
                    disagreement = Math.Max(disagreement, Math.Abs(r.Gradient[i] - gradient[i]));
            if (p.GetValue(Root.Json))
            {
                var o = new JsonObject
                {
                    ["expression"] = e.ToString(),
                    ["point"] = Json.Object(point),
                    ["value"] = Json.Number(value),
                    ["gradient"] = Json.Object(names.Zip(gradient, KeyValuePair.Create)),
                };
                if (nanNote is not null) o["note"] = nanNote;
                if (m == "all")
                {
                    var methods = new JsonObject();
                    foreach (var r in results)
                        methods[r.Method] = new JsonObject { ["gradient"] = Json.Object(names.Zip(r.Gradient, KeyValuePair.Create)), ["seconds"] = Json.Number(r.Seconds) };
                    o["methods"] = methods;
                    o["max_disagreement"] = Json.Number(disagreement);
                }
                Json.Write(context.Output, o);
            }
            else
            {
                var w = context.Output;
                w.WriteLine($"f = {e}");
                w.WriteLine($"at {string.Join(", ", point.Select(q => $"{q.Key} = {Points.Show(q.Value)}"))}");
                w.WriteLine($"f = {Points.Show(value)}");
                if (m != "all")
                    foreach (var (n, g) in names.Zip(gradient)) w.WriteLine($"∂f/∂{n} = {Points.Show(g)}");
                else
                {
                    Human.Table(w, ["method", .. names.Select(n => "∂f/∂" + n), "seconds"],
                        results.Select(r => (string[])[r.Method, .. r.Gradient.Select(v => v.ToString("G12", System.Globalization.CultureInfo.InvariantCulture)), r.Seconds.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)]));
                    w.WriteLine($"largest disagreement: {Points.Show(disagreement)}");
                }
                if (nanNote is not null) w.WriteLine("note: " + nanNote);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Why a derivative is NaN or infinite where f itself is finite, or null when every partial is finite. Autodiff
    /// applies the chain rule to the formula as written, so sin(x)/x at 0 divides 0 by 0 in the quotient rule although
    /// the function has the limit 1 and the derivative 0 there: central differences show whether f is smooth, and a
    /// sin(u)/u in the formula is named with its stable form sinc(u).
    /// </summary>
    internal static string? NonFiniteGradientNote(Expr e, string[] names, double[] x, Dictionary<string, double> dict, double value, double[] gradient)
    {
        var bad = Enumerable.Range(0, names.Length).Where(i => !double.IsFinite(gradient[i])).ToArray();
        if (bad.Length == 0) return null;
        double F(int i, double offset)
        {
            var point = new Dictionary<string, double>(dict, StringComparer.Ordinal) { [names[i]] = x[i] + offset };
            return e.Evaluate(point);
        }
        // One-sided slopes just right and just left of the point (f itself may be 0/0 at it): equal when f is smooth there.
        const double h = 1e-4;
        var slopes = bad.Select(i => (Right: (F(i, 2 * h) - F(i, h)) / h, Left: (F(i, -h) - F(i, -2 * h)) / h, Central: (F(i, h) - F(i, -h)) / (2 * h))).ToArray();
        bool defined = slopes.All(q => double.IsFinite(q.Right) && double.IsFinite(q.Left));
        bool smooth = defined && slopes.All(q => Math.Abs(q.Right - q.Left) <= 1e-2 * Math.Max(1, Math.Max(Math.Abs(q.Right), Math.Abs(q.Left))));
        string which = string.Join(", ", bad.Select(i => "∂f/∂" + names[i])) + (double.IsFinite(value) ? "" : " and f itself");
        string are = bad.Length > 1 || !double.IsFinite(value) ? "are" : "is";
        string at = string.Join(",", names.Zip(x, (n, v) => $"{n}={Points.Show(v)}"));
        string differences = string.Join(", ", slopes.Select(q => Points.Show(Math.Round(q.Central, 6))));
        if ((smooth || !defined) && FindSinOverU(e, dict) is { } u)
            return $"{which} {are} not finite at {at} because sin({u})/({u}) divides 0 by 0 at {u} = 0: autodiff applies the quotient rule to the formula as written, "
                + $"although sin(u)/u has the limit 1 at u = 0 and is smooth{(smooth ? $" (central differences give {differences})" : "")}. Write it as sinc({u}), whose value (1) and derivative (0) are exact at {u} = 0.";
        if (smooth)
            return $"{which} {are} not finite at {at}, yet f is smooth around it (central differences give {differences}): the chain rule applied to the formula as written meets 0/0 or ∞·0 "
                + "in an intermediate step. Rewrite the expression in a form that is finite at this point (e.g. sinc(x) for sin(x)/x), or use --method numeric.";
        return defined
            ? $"{which} {are} not finite at {at}: f has a kink there (its slopes to the left and to the right differ), so it has no derivative; choose another --at."
            : $"{which} {are} not finite at {at}: f is not finite next to this point either, so it has no derivative here; choose another --at inside the function's domain.";
    }

    /// <summary>The u of a sin(u)/u (or c·sin(u)/u) in <paramref name="e"/> with u = 0 at the point, or null.</summary>
    private static string? FindSinOverU(Expr e, Dictionary<string, double> dict) => e switch
    {
        BinaryExpr { Operator: BinaryOperator.Divide, Left: var top, Right: var d } when d.Evaluate(dict) == 0 && Factors(top).Any(f => f is FunctionExpr { Name: "sin", Arguments: [var u] } && u.ToString() == d.ToString())
            => d.ToString(),
        BinaryExpr b => FindSinOverU(b.Left, dict) ?? FindSinOverU(b.Right, dict),
        FunctionExpr f => f.Arguments.Select(a => FindSinOverU(a, dict)).FirstOrDefault(r => r is not null),
        NegateExpr n => FindSinOverU(n.Operand, dict),
        _ => null,
    };

    private static IEnumerable<Expr> Factors(Expr e) => e switch
    {
        BinaryExpr { Operator: BinaryOperator.Multiply } m => Factors(m.Left).Concat(Factors(m.Right)),
        NegateExpr n => Factors(n.Operand),
        _ => [e],
    };

    private static double[] Gradient(Expr e, string mode, string[] names, double[] x, Dictionary<string, double> dict)
    {
        switch (mode)
        {
            case "reverse":
                var w = Tensor.FromArray((double[])x.Clone()).WithGrad();
                var f = TensorBackend.ToFunction(e, names)(w);
                if (!f.RequiresGrad) return new double[names.Length]; // a constant: nothing to differentiate, every partial is 0
                f.Backward();
                return w.Grad!.ToDoubleArray();
            case "forward":
                var g = ForwardMode.Gradient(e, dict);
                return names.Select(n => g.TryGetValue(n, out double v) ? v : 0).ToArray();
            case "numeric":
                return NumericalDifferences.Central(v => e.Evaluate(names.Zip(v).ToDictionary(t => t.First, t => t.Second, StringComparer.Ordinal)), x);
            default:
                return names.Select(n => e.Differentiate(n).Evaluate(dict)).ToArray();
        }
    }

    /// <summary><c>descent diff EXPR --wrt x [--latex]</c>.</summary>
    public static Command Diff(CliContext context)
    {
        var expr = ExpressionArgument();
        var wrt = Options.Text("--wrt", "The variable to differentiate by (default: the only one).");
        var latex = Options.Flag("--latex", "Also print the derivative as LaTeX.");
        var command = new Command("diff", "The simplified symbolic derivative of an expression.") { expr, wrt, latex };
        command.SetAction(p =>
        {
            var e = ExpressionInput.Parse(p.GetValue(expr)!);
            string? v = p.GetValue(wrt);
            if (v is null)
            {
                if (e.Variables.Count != 1)
                    throw new UsageException($"--wrt is required when the expression has {(e.Variables.Count == 0 ? "no" : e.Variables.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))} variables, e.g. --wrt {e.Variables.FirstOrDefault() ?? "x"}.");
                v = e.Variables[0];
            }
            try { Expr.Variable(v); }
            catch (ArgumentException)
            {
                throw new UsageException($"--wrt '{v}': not a variable name (letters, digits and '_', starting with a letter or '_'; not a function or pi/e); e.g. --wrt {e.Variables.FirstOrDefault() ?? "x"}.");
            }
            // A variable that does not occur has derivative 0 — true, but most likely a typo: said on stderr (and in the JSON).
            string? note = e.Variables.Contains(v) ? null
                : $"{v} does not occur in {e}, so the derivative is 0{(e.Variables.Count > 0 ? $" (its variables: {string.Join(", ", e.Variables)})" : "")}.";
            var d = e.Differentiate(v).Simplify();
            if (note is not null) context.Error.WriteLine("note: " + note);
            if (p.GetValue(Root.Json))
                Json.Write(context.Output, new JsonObject { ["expression"] = e.ToString(), ["wrt"] = v, ["derivative"] = d.ToString(), ["latex"] = d.ToLatex(), ["note"] = note });
            else
            {
                context.Output.WriteLine($"d/d{v} [{e}] = {d}");
                if (p.GetValue(latex)) context.Output.WriteLine(d.ToLatex());
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary><c>descent hessian EXPR --at …</c>.</summary>
    public static Command Hessian(CliContext context)
    {
        var expr = ExpressionArgument();
        var at = Options.Text("--at", "The point, e.g. x=0,y=0.");
        var command = new Command("hessian", "The Hessian at a point, its eigenvalues and the critical-point class.") { expr, at };
        command.SetAction(p =>
        {
            var e = ExpressionInput.Parse(p.GetValue(expr)!);
            var point = ExpressionInput.Point(e, "--at", p.GetValue(at));
            if (point.Count == 0) throw new UsageException("--at: give at least one variable, e.g. --at x=0.");
            var names = point.Select(q => q.Key).ToArray();
            double value = e.Evaluate(ExpressionInput.ToDictionary(point));
            string where = string.Join(",", point.Select(q => $"{q.Key}={Points.Show(q.Value)}"));
            if (!double.IsFinite(value))
                throw new InputException($"f = {e} is {(double.IsNaN(value) ? "undefined (NaN)" : Points.Show(value))} at {where}: the Hessian needs a point where f is defined and finite; choose another --at.");
            CriticalPoint c;
            try { c = CriticalPoints.Classify(TensorBackend.ToFunction(e, names), point.Select(q => q.Value).ToArray()); }
            catch (ArgumentException error) when (error is not ArgumentNullException)
            {
                // The second derivatives are NaN or infinite there (e.g. sqrt(x) at 0).
                throw new InputException($"f = {e} has no finite Hessian at {where} (a second derivative is NaN or infinite there: {Errors.LibraryMessage(error)}); choose another --at.");
            }
            if (c.Gradient.Any(g => !double.IsFinite(g)))
                throw new InputException($"f = {e} has no finite gradient at {where}; choose another --at.");
            int n = names.Length;
            string kind = c.Kind switch
            {
                CriticalPointKind.Minimum => "minimum",
                CriticalPointKind.Maximum => "maximum",
                CriticalPointKind.Saddle => "saddle",
                CriticalPointKind.Degenerate => "degenerate",
                _ => "not-critical",
            };
            if (p.GetValue(Root.Json))
            {
                var rows = new JsonArray();
                for (int i = 0; i < n; i++) rows.Add((JsonNode)Json.Array(Enumerable.Range(0, n).Select(j => c.Hessian[i, j])));
                Json.Write(context.Output, new JsonObject
                {
                    ["expression"] = e.ToString(),
                    ["point"] = Json.Object(point),
                    ["value"] = Json.Number(c.Value),
                    ["gradient"] = Json.Object(names.Zip(c.Gradient, KeyValuePair.Create)),
                    ["hessian"] = rows,
                    ["eigenvalues"] = Json.Array(c.Eigenvalues),
                    ["gradient_norm"] = Json.Number(c.GradientNorm),
                    ["classification"] = kind,
                });
            }
            else
            {
                var w = context.Output;
                w.WriteLine($"f = {e} at {string.Join(", ", point.Select(q => $"{q.Key} = {Points.Show(q.Value)}"))}");
                Human.Table(w, ["", .. names], Enumerable.Range(0, n).Select(i => (string[])[names[i], .. Enumerable.Range(0, n).Select(j => Points.Show(c.Hessian[i, j]))]), "Hessian");
                w.WriteLine($"eigenvalues: {string.Join(", ", c.Eigenvalues.Select(Points.Show))}");
                w.WriteLine($"gradient norm: {Points.Show(c.GradientNorm)}");
                w.WriteLine($"classification: {kind}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary><c>descent graph EXPR [--at …] [--format dot|mermaid|svg] [--out PATH]</c>.</summary>
    public static Command Graph(CliContext context)
    {
        var expr = ExpressionArgument();
        var at = Options.Text("--at", "The point whose values and gradients label the graph, e.g. x=1,y=2.");
        var format = Options.Text("--format", "dot | mermaid | svg (default dot; svg needs Graphviz's dot).");
        var output = Options.Text("--out", "Write the graph here instead of stdout.");
        var command = new Command("graph", "The computation graph of an expression, with values and gradients at a point.") { expr, at, format, output };
        command.SetAction(p =>
        {
            var e = ExpressionInput.Parse(p.GetValue(expr)!);
            var point = ExpressionInput.Point(e, "--at", p.GetValue(at));
            string f = (p.GetValue(format) ?? "dot").ToLowerInvariant();
            if (f is not ("dot" or "mermaid" or "svg")) throw new UsageException($"--format '{f}': use dot, mermaid or svg.");
            string? path = p.GetValue(output);
            if (f == "svg" && path is null) throw new UsageException("--format svg needs --out PATH.svg.");
            if (path is not null) OutputFiles.Check([new("--out", path)], []);
            var leaves = point.ToDictionary(q => q.Key, q => { var t = Tensor.Scalar(q.Value).WithGrad(); t.Name = q.Key; return t; }, StringComparer.Ordinal);
            var root = e.Compile(new TensorBackend(leaves));
            var graph = ComputationGraph.From(root, withGradients: root.RequiresGrad);
            string text = f == "mermaid" ? graph.ToMermaid() : graph.ToDot();
            if (path is not null)
            {
                // Both replace the file atomically: a failed write (full disk, dot failing) leaves the old file as it was.
                if (f == "svg") Graphviz.RenderSvg(text, path, cancellation: context.Cancellation);
                else Descent.Learning.Training.AtomicFile.WriteAllText(path, text);
            }
            if (p.GetValue(Root.Json))
            {
                var o = new JsonObject { ["expression"] = e.ToString(), ["format"] = f, ["nodes"] = graph.Nodes.Count };
                if (path is not null) o["path"] = path; else o["text"] = text;
                Json.Write(context.Output, o);
            }
            else if (path is not null) context.Output.WriteLine($"Graph with {graph.Nodes.Count} nodes written to {path}");
            else context.Output.Write(text.EndsWith('\n') ? text : text + "\n");
            return ExitCodes.Ok;
        });
        return command;
    }
}
