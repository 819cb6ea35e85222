using Descent.Optimization.Stopping;

namespace Descent.Optimization.Minimization;

/// <summary>Settings of <see cref="GeneticAlgorithm"/>.</summary>
public sealed record GeneticAlgorithmSettings
{
    /// <summary>Individuals per generation, &gt;= 2; default 40.</summary>
    public int PopulationSize { get; init; } = 40;

    /// <summary>Individuals drawn per tournament (the best of them is a parent), &gt;= 1; default 3.</summary>
    public int TournamentSize { get; init; } = 3;

    /// <summary>Probability that two parents are crossed (else the child copies the first), in [0, 1]; default 0.9.</summary>
    public double CrossoverRate { get; init; } = 0.9;

    /// <summary>α of blend crossover BLX-α: each gene is uniform in [min − α·d, max + α·d] of the parents' genes, d = |difference|; default 0.5.</summary>
    public double BlendAlpha { get; init; } = 0.5;

    /// <summary>Probability that a gene is mutated; null means 1/n.</summary>
    public double? MutationRate { get; init; }

    /// <summary>The Gaussian mutation's standard deviation, as a fraction of the box width (or of <see cref="InitialSpread"/> without a box); default 0.1.</summary>
    public double MutationScale { get; init; } = 0.1;

    /// <summary>The best individuals copied unchanged into the next generation, &gt;= 0; default 2.</summary>
    public int Elites { get; init; } = 2;

    /// <summary>Without a box, the first generation is the start plus Gaussian noise of this standard deviation; default 1.</summary>
    public double InitialSpread { get; init; } = 1;

    /// <summary>The box's lower corner: the first generation is uniform in it, and children are clipped to it. Null: no box.</summary>
    public IReadOnlyList<double>? Lower { get; init; }

    /// <summary>The box's upper corner.</summary>
    public IReadOnlyList<double>? Upper { get; init; }

    /// <summary>The random seed; the same seed gives the same run.</summary>
    public int Seed { get; init; }
}

/// <summary>
/// A real-coded genetic algorithm: a population of parameter vectors; each generation keeps the elites, and fills
/// the rest with children of tournament-selected parents by blend crossover (BLX-α) and Gaussian mutation. No
/// gradients: f is evaluated inside <see cref="Autograd.NoGrad"/>, and 0 gradient evaluations are reported. Each
/// step is one generation; the trajectory records the best individual so far.
/// </summary>
/// <example><code>var r = GeneticAlgorithm.Minimize(f, [0.0, 0.0], new EvaluationBudget(5000), settings: new() { Seed = 1 });</code></example>
public static class GeneticAlgorithm
{
    /// <summary>Evolves a population seeded with <paramref name="start"/>.</summary>
    /// <param name="function">f(w) for a 1-D tensor w; must return a scalar.</param>
    /// <param name="start">The first individual: non-empty and finite.</param>
    /// <param name="stopping">When to stop (one step per generation); null means 1000·n function evaluations. A function-evaluation budget is never exceeded: the last generation is cut short.</param>
    /// <param name="options">Maximize, logging, names, cancellation, method name (default "genetic").</param>
    /// <param name="settings">Population, selection, crossover, mutation, box and seed; null means the defaults.</param>
    /// <returns>The best individual found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="start"/> is null.</exception>
    /// <exception cref="ArgumentException">The start is empty or not finite, f does not return a scalar, or the box is malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public static MinimizeResult Minimize(Func<Tensor<double>, Tensor<double>> function, double[] start, IStoppingRule? stopping = null,
        MinimizeOptions? options = null, GeneticAlgorithmSettings? settings = null)
    {
        Objective.Validate(function, start, options);
        settings ??= new GeneticAlgorithmSettings();
        int n = start.Length;
        double[]? lower = settings.Lower?.ToArray(), upper = settings.Upper?.ToArray();
        Box.Validate(lower, upper, n);
        Require.AtLeast(settings.PopulationSize, 2, nameof(settings.PopulationSize));
        Require.AtLeast(settings.TournamentSize, 1, nameof(settings.TournamentSize));
        Require.InClosed(settings.CrossoverRate, 0, 1, nameof(settings.CrossoverRate));
        Require.NonNegative(settings.BlendAlpha, nameof(settings.BlendAlpha));
        double mutationRate = Require.InClosed(settings.MutationRate ?? 1.0 / n, 0, 1, nameof(settings.MutationRate));
        Require.Positive(settings.MutationScale, nameof(settings.MutationScale));
        Require.Positive(settings.InitialSpread, nameof(settings.InitialSpread));
        if (settings.Elites < 0 || settings.Elites >= settings.PopulationSize)
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Elites, $"Elites must be in [0, PopulationSize), but was {settings.Elites} for a population of {settings.PopulationSize}.");

        options ??= new MinimizeOptions();
        stopping ??= new EvaluationBudget(1000L * n);
        var objective = new Objective(function, options.Maximize, Budgets.FunctionLimit(stopping));
        var log = new RunLog("genetic", n, stopping, options, objective);
        var random = new Random(settings.Seed);
        var sigma = new double[n];
        for (int i = 0; i < n; i++) sigma[i] = settings.MutationScale * (lower is null ? settings.InitialSpread : upper![i] - lower[i]);

        var population = new List<(double[] Genes, double Value)> { ((double[])start.Clone(), objective.Value(start)) };
        while (population.Count < settings.PopulationSize && !objective.Exhausted)
        {
            var genes = new double[n];
            for (int i = 0; i < n; i++)
                genes[i] = lower is null ? start[i] + settings.InitialSpread * Box.Gaussian(random) : lower[i] + random.NextDouble() * (upper![i] - lower[i]);
            population.Add((genes, objective.Value(genes)));
        }
        var best = population.MinBy(p => Box.Key(p.Value));

        for (long step = 0; ; step++)
        {
            if (log.Observe(step, best.Genes, best.Value, double.NaN, null) is not null) break;
            var ranked = population.OrderBy(p => Box.Key(p.Value)).ToList();
            var next = ranked.Take(Math.Min(settings.Elites, ranked.Count)).ToList();
            while (next.Count < settings.PopulationSize && !objective.Exhausted)
            {
                var a = Tournament(ranked, settings.TournamentSize, random);
                var b = Tournament(ranked, settings.TournamentSize, random);
                var child = new double[n];
                bool cross = random.NextDouble() < settings.CrossoverRate;
                for (int i = 0; i < n; i++)
                {
                    double gene = a[i];
                    if (cross)
                    {
                        double low = Math.Min(a[i], b[i]), high = Math.Max(a[i], b[i]), d = high - low;
                        gene = low - settings.BlendAlpha * d + random.NextDouble() * (1 + 2 * settings.BlendAlpha) * d;
                    }
                    if (random.NextDouble() < mutationRate) gene += sigma[i] * Box.Gaussian(random);
                    if (lower is not null) gene = Math.Clamp(gene, lower[i], upper![i]);
                    child[i] = gene;
                }
                var evaluated = (child, objective.Value(child));
                next.Add(evaluated);
                if (Box.Better(evaluated.Item2, best.Value)) best = evaluated;
            }
            population = next;
        }
        return log.Finish();
    }

    /// <summary>The best of <paramref name="size"/> individuals drawn with replacement (the list is sorted best first, so the smallest index wins).</summary>
    private static double[] Tournament(List<(double[] Genes, double Value)> ranked, int size, Random random)
    {
        int winner = int.MaxValue;
        for (int k = 0; k < size; k++) winner = Math.Min(winner, random.Next(ranked.Count));
        return ranked[winner].Genes;
    }
}
