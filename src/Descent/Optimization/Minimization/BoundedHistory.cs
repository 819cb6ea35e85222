namespace Descent.Optimization.Minimization;

/// <summary>
/// The recorded trajectory of a run, bounded: every <c>LogEvery</c>-th step is kept until
/// <see cref="MinimizeOptions.MaxTrajectoryPoints"/> points are held; then every second point is dropped (the start is
/// kept) and the stride doubles, so a run of 2·10⁹ steps holds at most that many points (steps that are multiples of
/// LogEvery·2ᵏ) and the last point is always added at the end.
/// </summary>
internal sealed class TrajectoryBuffer(int logEvery, int maxPoints)
{
    private readonly List<TrajectoryPoint> _points = [];
    private long _stride = logEvery;

    /// <summary>The points kept so far, in step order.</summary>
    public List<TrajectoryPoint> Points => _points;

    /// <summary>Whether step <paramref name="step"/> is one the trajectory keeps.</summary>
    public bool Wants(long step) => step % _stride == 0;

    /// <summary>Adds a point, thinning the trajectory when it is full.</summary>
    public void Add(TrajectoryPoint point)
    {
        _points.Add(point);
        if (_points.Count <= maxPoints) return;
        long stride = _stride;
        // A point added for another reason (a stop) may not be on the stride; thinning keeps the start and the multiples.
        do
        {
            stride = stride > long.MaxValue / 2 ? long.MaxValue : stride * 2;
            _points.RemoveAll(p => p.Step != _points[0].Step && p.Step % stride != 0 && !ReferenceEquals(p, point));
        }
        while (_points.Count > maxPoints && stride < long.MaxValue);
        _stride = stride;
    }
}

/// <summary>
/// The values of f a run's behaviour is read from (<see cref="Minimizer.Classify"/>): the first and the last few, so
/// memory does not grow with the number of steps.
/// </summary>
internal sealed class LossTail
{
    private const int Kept = 11;
    private readonly Queue<double> _recent = new(Kept + 1);
    private double _first = double.NaN;

    /// <summary>How many values were seen.</summary>
    public long Count { get; private set; }

    /// <summary>Adds the value of the next step.</summary>
    public void Add(double value)
    {
        if (Count++ == 0) _first = value;
        _recent.Enqueue(value);
        if (_recent.Count > Kept) _recent.Dequeue();
    }

    /// <summary>
    /// The first value followed by the last ones (all of them while there are few): the same reading as the whole
    /// sequence for <see cref="Minimizer.Classify"/>, which looks at the first value and the last eleven.
    /// </summary>
    public List<double> ToList(double sign = 1)
    {
        var list = new List<double>(Kept + 1);
        if (Count > Kept) list.Add(sign * _first);
        list.AddRange(_recent.Select(v => sign * v));
        return list;
    }
}
