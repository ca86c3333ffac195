using NeuralMechanics.Runs;

namespace NeuralMechanics.Reporting;

/// <summary>
/// The change of a quantity since the first logged step, measured and predicted: X(t) − Q(0) for
/// the empirical value and each prediction X, optionally divided by terms(0), the size the
/// relative error is measured against (for scale terms = Q, so the change reads Q(t)/Q(0) − 1).
/// Gradient flow predicts no change, so it is the zero line; a short run's broken conservation and
/// the match of each law are visible however small the change is against the value.
/// </summary>
/// <param name="Empirical">Measured change.</param>
/// <param name="Continuous">Change the continuous law predicts (empty where it does not apply).</param>
/// <param name="Discrete">Change the exact discrete law predicts (empty where it does not apply).</param>
/// <param name="Final">The measured change at the last logged step (NaN for no data).</param>
/// <param name="Floor">The rounding floor of the quantity in the change's units: ε₃₂ × the largest terms over the run (NaN for no data).</param>
/// <remarks>
/// The rounding floor. Q is summed in float64 from float32 parameters, and each parameter θᵢ is known
/// only to its float32 rounding: a relative error up to u = ε₃₂/2 = 2⁻²⁴ (ε₃₂ = 2⁻²³ ≈ 1.19×10⁻⁷),
/// made anew by every update. To first order that moves a translation sum Σθᵢ by at most u·Σ|θᵢ|,
/// a squared norm Σθᵢ² by at most 2u·Σθᵢ² = ε₃₂·|θ_A|², and a rescale difference by at most
/// ε₃₂·(|θ_A1|² + |θ_A2|²): at most ε₃₂ × terms for every kind. The float64 sum adds at most
/// (N − 1)·ε₆₄/2 × terms for N terms, under 10⁻⁸ × terms for N &lt; 10⁸, so ε₃₂ × terms bounds what
/// the quantity resolves. A change inside this floor (the 10⁻⁸–10⁻⁹ of a conserved translation sum)
/// is rounding, not dynamics; the figures draw the floor as a band and replace a panel whose curves
/// all stay inside it by a sentence.
/// </remarks>
internal sealed record Change(Series Empirical, Series Continuous, Series Discrete, double Final, double Floor)
{
    /// <summary>ε₃₂ = 2⁻²³, the spacing of float32 numbers at 1: the relative resolution of a parameter (see the remarks).</summary>
    public const double Float32Epsilon = 1.0 / (1 << 23);

    /// <summary>True when the measured change and every prediction's change stay within the rounding floor: nothing to draw but rounding.</summary>
    public bool WithinRounding =>
        !Empirical.IsEmpty && double.IsFinite(Floor) &&
        new[] { Empirical, Continuous, Discrete }.All(s => s.Values.All(v => Math.Abs(v) <= Floor));

    /// <summary>The sentence that replaces a panel whose change is within rounding.</summary>
    public string RoundingNote(bool relative) =>
        $"Change within float32 rounding: |ΔQ| ≤ ε₃₂ × terms = {Labels.Scientific(Floor)}{(relative ? " of the terms" : "")} at every step; " +
        "conserved to the precision of the parameters.";

    /// <summary>Why a panel of this change has nothing to draw, or null when it has (the change may still be within rounding).</summary>
    public string? EmptyReason => Empirical.Count switch
    {
        0 => "no rows yet: the run has logged no step of this set",
        1 => "one logged step so far: a change needs two",
        _ => null,
    };

    /// <summary>The y-axis label of a relative change.</summary>
    public const string RelativeLabel = "(Q(t) − Q(0)) / terms(0)";

    /// <summary>The y-axis label of an absolute change.</summary>
    public const string AbsoluteLabel = "Q(t) − Q(0)";

    /// <summary>The change of a layers/ set (sums over its groups).</summary>
    public static Change OfLayer(ReportRun run, string kind, string layer, bool relative) =>
        From(column => run.LayerSeries(kind, layer, column), relative);

    /// <summary>The change of a layers/ set against the step (for runs whose η differ).</summary>
    public static Change OfLayerByStep(ReportRun run, string kind, string layer, bool relative) =>
        From(column => run.LayerSeriesByStep(kind, layer, column), relative);

    /// <summary>The change of one group of a neurons/ set.</summary>
    public static Change OfNeuron(ReportRun run, string kind, string layer, int unit, bool relative) =>
        From(column => run.NeuronSeries(kind, layer, unit, column), relative);

    private static Change From(Func<string, Series> column, bool relative)
    {
        var empirical = column(TrajectorySchema.Empirical);
        var terms = column(TrajectorySchema.Terms);
        if (empirical.IsEmpty) return new Change(empirical, empirical, empirical, double.NaN, double.NaN);
        var start = empirical.Values[0];
        var size = relative ? (terms.IsEmpty || !(terms.Values[0] > 0) ? double.NaN : terms.Values[0]) : 1;
        Series Of(Series s) => s.Map(v => (v - start) / size).Finite();
        var measured = Of(empirical);
        var floor = terms.IsEmpty ? double.NaN : Float32Epsilon * terms.Values.Max() / size;
        return new Change(measured, Of(column(TrajectorySchema.Continuous)), Of(column(TrajectorySchema.Discrete)),
            measured.IsEmpty ? double.NaN : measured.Values[^1], floor);
    }
}
