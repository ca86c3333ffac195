namespace NeuralMechanics.Toys;

/// <summary>A continuous model of a discrete method: its solution w(t) in closed form.</summary>
/// <param name="Name">Legend label, e.g. "gradient flow".</param>
/// <param name="At">w(t).</param>
/// <param name="IsModified">Whether it is a modified equation (drawn red) or the plain limit η → 0 (drawn blue).</param>
/// <param name="IsVariant">A variant of the paper's model that is not in the paper (drawn thin orange).</param>
public sealed record ContinuousModel(string Name, Func<double, Vec2> At, bool IsModified, bool IsVariant = false);

/// <summary>
/// A discrete method's iterates and the continuous models meant to follow them (paper Fig. 4 and 7);
/// iterate n is compared with each model at t = n·<see cref="StepTime"/>.
/// </summary>
public sealed record DiscretizationPanel(string Title, string DiscreteName, Vec2[] Discrete, double StepTime, IReadOnlyList<ContinuousModel> Models)
{
    /// <summary>Mean distance between iterate n and the model at t = n·h, over all iterates.</summary>
    public double MeanDistance(ContinuousModel model) =>
        Trajectories.MeanDistance(Discrete, [.. Enumerable.Range(0, Discrete.Length).Select(n => model.At(n * StepTime))]);

    /// <summary>Fig. 4(a): gradient descent on ½wᵀAw, gradient flow and modified-loss flow.</summary>
    public static DiscretizationPanel GradientDescent(double eta, int steps)
    {
        var q = new QuadraticLoss();
        var w0 = QuadraticLoss.DefaultStart;
        return new("(a) modified loss", "gradient descent", QuadraticLoss.GradientDescent(w0, eta, steps), eta,
        [
            new("gradient flow  dw/dt = −g", t => q.GradientFlow(w0, t), false),
            new("modified loss  dw/dt = −g − (η/2)Hg", t => q.ModifiedLossFlow(w0, eta, t), true),
        ]);
    }

    /// <summary>
    /// Fig. 4(b): heavy-ball momentum on ½wᵀAw, momentum flow and modified momentum flow with the
    /// paper's w'(0) = 0; and, as a variant, the modified flow started with the velocity of the
    /// first heavy-ball step, w'(0) = −g(w₀) (Δw = −ηv₁ = −ηg(w₀) per time η). The paper's w'(0) = 0
    /// excites the fast mode of the oscillator and leaves an O(η) offset; the variant removes most of it.
    /// </summary>
    public static DiscretizationPanel Momentum(double eta, double beta, int steps)
    {
        var q = new QuadraticLoss();
        var w0 = QuadraticLoss.DefaultStart;
        var v0 = -QuadraticLoss.Gradient(w0);
        return new("(b) modified flow", "momentum", QuadraticLoss.HeavyBall(w0, eta, beta, steps), eta,
        [
            new("momentum flow  (1−β)w' = −g", t => q.MomentumFlow(w0, beta, t), false),
            new("modified flow  (η/2)(1+β)w'' + (1−β)w' = −g, w'(0) = 0", t => q.ModifiedMomentumFlow(w0, eta, beta, t), true),
            new("same, w'(0) = −g(w₀) (not in the paper)", t => q.ModifiedMomentumFlow(w0, v0, eta, beta, t), true, IsVariant: true),
        ]);
    }

    /// <summary>Fig. 7: explicit Euler on ẋ = [[0, −1], [1, 0]]x, the exact flow and the modified flow.</summary>
    public static DiscretizationPanel Circle(double eta, int steps) =>
        new("circular motion", "explicit Euler", CircularMotion.Euler(eta, steps), eta,
        [
            new("continuous  ẋ = f(x)", CircularMotion.Exact, false),
            new("modified  ẋ = f(x) + (η/2)x", t => CircularMotion.Modified(eta, t), true),
        ]);
}
