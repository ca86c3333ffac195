namespace NeuralMechanics.Training;

/// <summary>
/// Hyperparameters of SGD with PyTorch's semantics: d = g + λθ; v ← βv + (1−α)d (first step
/// v = d); θ ← θ − ηv (Nesterov: θ ← θ − η(d + βv)). Pure data, shared by the optimizer,
/// the theory and the run manifest.
/// </summary>
/// <param name="LearningRate">η &gt; 0.</param>
/// <param name="WeightDecay">λ ≥ 0.</param>
/// <param name="Momentum">β ∈ [0, 1).</param>
/// <param name="Dampening">α ∈ [0, 1].</param>
/// <param name="Nesterov">Nesterov momentum (needs β &gt; 0 and α = 0, as in PyTorch).</param>
public sealed record SgdSettings(
    double LearningRate,
    double WeightDecay = 0,
    double Momentum = 0,
    double Dampening = 0,
    bool Nesterov = false)
{
    /// <summary>Continuous time per step: η for SGD, η(1−α) with momentum (the paper's convention).</summary>
    public double TimePerStep => Momentum > 0 ? LearningRate * (1 - Dampening) : LearningRate;

    /// <summary>Throws <see cref="InvalidInputException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new InvalidInputException($"lr: expected a positive finite number, found {LearningRate}");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
            throw new InvalidInputException($"wd: expected a finite number ≥ 0, found {WeightDecay}");
        if (!(Momentum >= 0 && Momentum < 1))
            throw new InvalidInputException($"momentum: expected a number in [0, 1), found {Momentum}");
        if (!(Dampening >= 0 && Dampening <= 1))
            throw new InvalidInputException($"dampening: expected a number in [0, 1], found {Dampening}");
        if (Nesterov && (Momentum <= 0 || Dampening != 0))
            throw new InvalidInputException("nesterov: needs momentum > 0 and dampening 0 (as in PyTorch)");
    }
}
