namespace NeuralMechanics.Theory;

/// <summary>The three branches of the paper's oscillator solutions (eq. 34, 36, 37; Appendix H.2).</summary>
public enum DampingRegime
{
    /// <summary>γ &gt; ω: cosh/sinh branch, no oscillation.</summary>
    Overdamped,
    /// <summary>γ = ω: e^{−γt}(1 + γt).</summary>
    Critical,
    /// <summary>γ &lt; ω: cos/sin branch, harmonic oscillation.</summary>
    Underdamped,
}
