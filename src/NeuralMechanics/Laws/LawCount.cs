namespace NeuralMechanics.Laws;

/// <summary>
/// The number of independent conservation laws of gradient flow near θ (Marcotte, Gribonval &amp;
/// Peyré 2023: D − dim Lie(V)(θ)) and how many the discovered symmetry groups explain.
/// </summary>
/// <param name="Parameters">D.</param>
/// <param name="Ranks">dim of V, V + [V, V], … at θ, one per bracket depth tried.</param>
/// <param name="Laws">D − the last rank.</param>
/// <param name="Explained">Rank of the gradients of the discovered groups' conserved quantities that are orthogonal to Lie(V).</param>
/// <param name="Tolerance">τ the ranks were taken with (singular values of unit-norm fields).</param>
/// <param name="Gap">The smallest singular-value gap of every rank decision (see NumericRank).</param>
/// <param name="Decided">Every gap reached the minimum and the rank stopped growing before the deepest bracket.</param>
/// <param name="Closed">The rank stopped growing (false: still growing at the deepest bracket tried).</param>
/// <param name="DeadUnits">Units whose incoming weights get no gradient on any probe (dead ReLUs): each adds local laws.</param>
/// <param name="Carriers">Where the unexplained laws lie: per parameter tensor, the dimensions of the unexplained directions on it.</param>
/// <param name="NotConserved">Groups whose quantity's gradient is not orthogonal to Lie(V) (approximate symmetries: a norm's ε).</param>
/// <param name="Orthogonality">Largest |component in Lie(V)| / |gradient| among the groups counted as explained.</param>
/// <param name="Samples">Probe inputs used.</param>
/// <param name="Seconds">Wall time of the count.</param>
public sealed record LawCount(
    long Parameters,
    IReadOnlyList<long> Ranks,
    long Laws,
    long Explained,
    double Tolerance,
    double Gap,
    bool Decided,
    bool Closed,
    IReadOnlyList<string> DeadUnits,
    IReadOnlyList<LawCarrier> Carriers,
    long NotConserved,
    double Orthogonality,
    long Samples,
    double Seconds)
{
    /// <summary>Laws − Explained: what no discovered group accounts for.</summary>
    public long Unexplained => Laws - Explained;
}

/// <summary>A parameter tensor and the dimensions of the unexplained laws' directions that lie on it.</summary>
/// <param name="Parameter">Its name in the network (fc1.weight).</param>
/// <param name="Dimensions">Σ over its coordinates of the squared unexplained basis vectors (the total over tensors is the unexplained count).</param>
public sealed record LawCarrier(string Parameter, double Dimensions);
