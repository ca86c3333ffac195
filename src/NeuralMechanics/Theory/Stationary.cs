using NeuralMechanics.Training;

namespace NeuralMechanics.Theory;

/// <summary>Stationary state of scale-symmetric weights, where weight decay and discretization balance (Section 6).</summary>
public static class Stationary
{
    /// <summary>
    /// Angular speed |dθ/dt|/|θ| at stationarity, per unit of continuous time
    /// (<see cref="SgdSettings.TimePerStep"/>; multiply by it for the angle per step).
    /// SGD: √(2λ/η), from d|θ|²/dt = −2λ|θ|² + η|g|² = 0 (eq. 21).
    /// Heavy-ball momentum: √(2λ/(η(1−α)(1+β))), from eq. 35 with |θ|²'' = |θ|²' = 0, which gives
    /// λ|θ|² = ½η(1−α)(1+β)|dθ/dt|²; it reduces to the SGD value at β = α = 0.
    /// </summary>
    public static double AngularSpeed(SgdSettings s)
    {
        PredictableSettings.Check(s, "the stationary angular speed");
        if (s.Momentum == 0) return Math.Sqrt(2 * s.WeightDecay / s.LearningRate);
        return Math.Sqrt(2 * s.WeightDecay / (s.LearningRate * (1 - s.Dampening) * (1 + s.Momentum)));
    }
}
