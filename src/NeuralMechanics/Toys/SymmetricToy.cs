using NeuralMechanics.Symmetry;

namespace NeuralMechanics.Toys;

/// <summary>
/// A two-parameter network component with one continuous symmetry (paper Fig. 2 and 3): its loss
/// on a fixed small dataset, the loss gradient, the generator ∂αψ|α=I of the symmetry and the
/// quantity that gradient flow conserves (eq. 11–13).
/// </summary>
public abstract class SymmetricToy
{
    /// <summary>Panel title, e.g. "translation: softmax neuron".</summary>
    public abstract string Title { get; }

    /// <summary>The symmetry family.</summary>
    public abstract SymmetryKind Kind { get; }

    /// <summary>The model, dataset and loss, in one line for the figure and the docs.</summary>
    public abstract string Description { get; }

    /// <summary>Training loss L(w1, w2).</summary>
    public abstract double Loss(Vec2 w);

    /// <summary>Gradient ∂L/∂(w1, w2), written out by hand.</summary>
    public abstract Vec2 Gradient(Vec2 w);

    /// <summary>Generator vector field of the symmetry: 1_A, θ_A or θ_A1 − θ_A2.</summary>
    public abstract Vec2 Generator(Vec2 w);

    /// <summary>The quantity conserved by gradient flow: Σθ, |θ|² or |θ_A1|² − |θ_A2|².</summary>
    public abstract double Conserved(Vec2 w);

    /// <summary>Start points of the gradient-flow trajectories drawn in Fig. 3.</summary>
    public abstract IReadOnlyList<Vec2> Starts { get; }

    /// <summary>Duration of those trajectories (enough to approach the minimum set).</summary>
    public abstract double FlowDuration { get; }

    /// <summary>The level set {w : Q(w) = q} inside [−extent, extent]², as polylines.</summary>
    public abstract IEnumerable<Vec2[]> LevelSet(double q, double extent);

    /// <summary>Whether the loss is defined at w (BatchNorm is not at w = 0).</summary>
    public virtual bool IsDefined(Vec2 w) => true;

    /// <summary>Points (x(s), y(s)) for s evenly spaced in [from, to], kept where inside the square.</summary>
    protected static Vec2[] Curve(Func<double, Vec2> point, double from, double to, double extent, int samples = 400) =>
        [.. Enumerable.Range(0, samples + 1).Select(i => point(from + (to - from) * i / samples))
            .Where(p => Math.Abs(p.X) <= extent && Math.Abs(p.Y) <= extent)];

    /// <summary>The three toys of the paper: softmax (translation), BatchNorm (scale), linear path (rescale).</summary>
    public static IReadOnlyList<SymmetricToy> All { get; } = [new SoftmaxNeuron(), new BatchNormNeuron(), new LinearPath()];
}
