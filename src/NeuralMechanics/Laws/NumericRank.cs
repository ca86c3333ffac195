namespace NeuralMechanics.Laws;

/// <summary>
/// The numeric rank of a matrix of unit-norm rows from its singular values σ₁ ≥ σ₂ ≥ …: the number
/// above the tolerance τ, and the gap that says how clearly: σ_r / σ_{r+1}, the smallest kept over
/// the largest dropped (σ_r / τ when none is dropped, τ / σ₁ when none is kept).
/// </summary>
internal static class NumericRank
{
    /// <summary>Rank and gap of <paramref name="singularValues"/> (descending) at tolerance <paramref name="tolerance"/>.</summary>
    public static (int Rank, double Gap) Of(IReadOnlyList<double> singularValues, double tolerance)
    {
        int rank = singularValues.Count(s => s > tolerance);
        double gap = singularValues.Count == 0 ? double.PositiveInfinity
            : rank == singularValues.Count ? singularValues[rank - 1] / tolerance
            : rank == 0 ? tolerance / Math.Max(singularValues[0], double.Epsilon)
            : singularValues[rank - 1] / Math.Max(singularValues[rank], double.Epsilon);
        return (rank, gap);
    }
}
