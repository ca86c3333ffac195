using NeuralMechanics.Symmetry;

namespace NeuralMechanics.Toys;

/// <summary>
/// Translation toy: a softmax neuron σ([w1 w2]ᵀx) with scalar input x and two classes (logits
/// z = (w1·x, w2·x)), mean cross-entropy on the dataset x = (1, 1, 1, −1, −1, −1) with labels
/// (0, 0, 1, 1, 1, 0). Shifting w1 and w2 together shifts both logits equally, so
/// L(w + α(1, 1)) = L(w). The data are not separable, so the minima form the line w1 − w2 = ln 2.
/// </summary>
public sealed class SoftmaxNeuron : SymmetricToy
{
    private static readonly double[] Inputs = [1, 1, 1, -1, -1, -1];
    private static readonly int[] Labels = [0, 0, 1, 1, 1, 0];

    /// <summary>Panel title: translation, softmax neuron.</summary>
    public override string Title => "translation: softmax neuron σ((w1, w2)·x)";
    /// <summary>Translation: L(w + α(1, 1)) = L(w).</summary>
    public override SymmetryKind Kind => SymmetryKind.Translation;
    /// <summary>The softmax neuron, its ±1 dataset and the cross-entropy loss, in one line.</summary>
    public override string Description => "cross-entropy of softmax(w1·x, w2·x); x = ±1, labels (0,0,1) for x = 1 and (1,1,0) for x = −1";

    /// <summary>Mean cross-entropy of softmax(w1·x, w2·x) over the six examples.</summary>
    /// <param name="w">The weights (w1, w2).</param>
    /// <returns>The loss.</returns>
    public override double Loss(Vec2 w)
    {
        double sum = 0;
        for (int i = 0; i < Inputs.Length; i++)
        {
            // −log σ(z)_y with z = (w1 x, w2 x): log(1 + e^{z_other − z_y}).
            double margin = (Labels[i] == 0 ? w.Y - w.X : w.X - w.Y) * Inputs[i];
            sum += Math.Log(1 + Math.Exp(margin));
        }
        return sum / Inputs.Length;
    }

    /// <summary>Gradient ∂L/∂(w1, w2) of the cross-entropy, written out by hand (its components sum to 0).</summary>
    /// <param name="w">The weights (w1, w2).</param>
    /// <returns>The gradient.</returns>
    public override Vec2 Gradient(Vec2 w)
    {
        double g1 = 0;
        for (int i = 0; i < Inputs.Length; i++)
        {
            // ∂/∂z0 of the cross-entropy is p0 − [y = 0]; ∂/∂z1 = −(p0 − [y = 0]).
            double p0 = 1 / (1 + Math.Exp((w.Y - w.X) * Inputs[i]));
            g1 += (p0 - (Labels[i] == 0 ? 1 : 0)) * Inputs[i];
        }
        g1 /= Inputs.Length;
        return new Vec2(g1, -g1);
    }

    /// <summary>Four start points of the gradient-flow trajectories drawn in Fig. 3.</summary>
    public override IReadOnlyList<Vec2> Starts { get; } = [new(-1.5, 1.2), new(-1.2, -0.3), new(1.6, -1.6), new(0.2, 1.5)];
    /// <summary>Duration 30 of those trajectories (enough to approach the line of minima).</summary>
    public override double FlowDuration => 30;

    // Lines w1 + w2 = q.
    /// <summary>The level set {w : Q(w) = q} inside [−extent, extent]², as polylines: the line w1 + w2 = q.</summary>
    /// <param name="q">The value of the conserved quantity.</param>
    /// <param name="extent">Half-width of the square.</param>
    /// <returns>The level set's curves.</returns>
    public override IEnumerable<Vec2[]> LevelSet(double q, double extent) => [Curve(s => new(s, q - s), -extent, extent, extent)];

    /// <summary>Generator of the translation symmetry: the constant field 1_A = (1, 1).</summary>
    /// <param name="w">The weights (w1, w2).</param>
    /// <returns>(1, 1).</returns>
    public override Vec2 Generator(Vec2 w) => new(1, 1);
    /// <summary>The quantity conserved by gradient flow: Q = w1 + w2.</summary>
    /// <param name="w">The weights (w1, w2).</param>
    /// <returns>w1 + w2.</returns>
    public override double Conserved(Vec2 w) => w.X + w.Y;
}
