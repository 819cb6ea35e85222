using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Descent.Distributed;

/// <summary>
/// Places worker grain <c>k</c> on the <c>k mod n</c>-th of the <c>n</c> live worker silos (ordered by address), so
/// <c>n</c> workers on <c>n</c> silos get one each. Coordinator silos (named <see cref="Cluster.CoordinatorPrefix"/>…)
/// hold no workers. When a silo dies, a worker that lived there is placed again by the same rule among the survivors.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class WorkerPlacementStrategy : PlacementStrategy;

/// <summary>Marks a grain class as placed by <see cref="WorkerPlacementStrategy"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class WorkerPlacementAttribute() : PlacementAttribute(new WorkerPlacementStrategy());

/// <summary>The director behind <see cref="WorkerPlacementStrategy"/>.</summary>
internal sealed class WorkerPlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        var members = membership.CurrentSnapshot.Members;
        var workers = compatible
            .Where(s => !(members.TryGetValue(s, out var m) && m.Name is { } name && name.StartsWith(Cluster.CoordinatorPrefix, StringComparison.Ordinal)))
            .OrderBy(s => s.ToParsableString(), StringComparer.Ordinal)
            .ToArray();
        if (workers.Length == 0) throw new OrleansException("No worker silo is alive to place a gradient worker on.");
        long key = target.GrainIdentity.GetIntegerKey();
        return Task.FromResult(workers[(int)(Math.Abs(key) % workers.Length)]);
    }
}
