namespace NeuralMechanics.Tracking;

/// <summary>
/// An elementwise field of one training step, formed in the parameter's dtype and summed per
/// unit in float64: these are what every tracked quantity is made of.
/// </summary>
internal enum StepField
{
    /// <summary>θ (translation Q).</summary>
    Theta,

    /// <summary>|θ| (translation terms).</summary>
    ThetaAbs,

    /// <summary>θ² (scale and rescale Q and terms; the RMS floor of translation terms).</summary>
    ThetaSquared,

    /// <summary>g², zero where the parameter received no gradient (SGD forcing).</summary>
    GradSquared,

    /// <summary>v², zero before the momentum buffer exists (momentum forcing).</summary>
    VelocitySquared,

    /// <summary>g·θ (SGD angular speed of scale groups).</summary>
    GradTheta,

    /// <summary>Δθ, the last recorded update (translation identity for any optimizer).</summary>
    Update,

    /// <summary>Δθ² (the identity for any optimizer; Nesterov's |u|² = |Δθ|²/η²).</summary>
    UpdateSquared,

    /// <summary>(θ − Δθ)·Δθ = θₙ·Δθ, with θ = θₙ₊₁ (the identity Q' = Q + 2⟨θₙ, Δθ⟩ + |Δθ|²).</summary>
    PreviousThetaUpdate,

    /// <summary>Δθ·v (Nesterov's ⟨u, v'⟩ = −⟨Δθ, v'⟩/η).</summary>
    UpdateVelocity,
}
