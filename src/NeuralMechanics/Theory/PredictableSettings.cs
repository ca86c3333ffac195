using NeuralMechanics.Training;

namespace NeuralMechanics.Theory;

/// <summary>The optimizer settings for which the paper's predictions exist.</summary>
internal static class PredictableSettings
{
    /// <summary>
    /// Validates <paramref name="s"/> and rejects what the theory does not cover: Nesterov momentum
    /// (the paper models heavy-ball momentum only, and the tracker's |v|² does not close the discrete
    /// recurrence for θ ← θ − η(d + βv)) and momentum with dampening 1 (zero continuous time per step).
    /// </summary>
    public static void Check(SgdSettings s, string prediction)
    {
        s.Validate();
        if (s.Nesterov)
            throw new InvalidInputException($"nesterov: {prediction} is unavailable for Nesterov momentum: the paper's continuous model (eq. 33–38) is for heavy-ball momentum, and the exact discrete recurrence would need |d + βv|² and ⟨d + βv, v⟩, not only |v|²");
        if (s.Momentum > 0 && s.Dampening == 1)
            throw new InvalidInputException($"dampening: {prediction} needs dampening < 1 with momentum (time per step η(1−α) would be 0)");
    }
}
