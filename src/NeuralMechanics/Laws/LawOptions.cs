namespace NeuralMechanics.Laws;

/// <summary>How <see cref="ConservationLaws.Count"/> samples and decides.</summary>
/// <param name="Samples">Probe inputs N; null: 2·⌈D / labels⌉ + 8, twice what the fields of one depth can need.</param>
/// <param name="Tolerance">τ: a singular value of the unit-norm fields counts when above it.</param>
/// <param name="MinimumGap">The smallest singular-value gap (kept over dropped) at which the count is called decided.</param>
/// <param name="MaxDepth">Deepest bracket tried; a rank still growing there leaves the count undecided.</param>
/// <param name="Seed">Seed of the probe inputs and the random weightings.</param>
/// <param name="Oversampling">Fields drawn beyond the most a depth can add, so a full rank shows as a gap.</param>
public sealed record LawOptions(int? Samples = null, double Tolerance = 1e-9, double MinimumGap = 1e3, int MaxDepth = 5, long Seed = 0, int Oversampling = 8);
