using NeuralMechanics.Training;

namespace NeuralMechanics.Theory;

/// <summary>The optimizer settings for which the paper's predictions exist.</summary>
internal static class PredictableSettings
{
    /// <summary>
    /// Validates <paramref name="s"/> and rejects what the theory does not cover: momentum with
    /// dampening 1 (zero continuous time per step). Nesterov (which PyTorch allows only with
    /// dampening 0) has the exact discrete recurrence but no continuous model.
    /// </summary>
    public static void Check(SgdSettings s, string prediction)
    {
        s.Validate();
        if (s.Momentum > 0 && s.Dampening == 1)
            throw new InvalidInputException($"dampening: {prediction} needs dampening < 1 with momentum (time per step η(1−α) would be 0)");
    }
}
