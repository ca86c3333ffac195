using NeuralMechanics.Theory;

namespace NeuralMechanics.Toys;

/// <summary>
/// The convex quadratic L(w) = ½wᵀAw of paper Fig. 4 / Appendix D with A = [[2.5, −1.5], [−1.5, 2]]
/// (gradient Aw, Hessian A; the figure caption writes wᵀAw, the appendix ½wᵀAw, which we use).
/// Discrete iterates and continuous models in closed form through A = S·Λ·Sᵀ.
/// </summary>
public sealed class QuadraticLoss
{
    /// <summary>The curvature matrix A, row-major.</summary>
    public static readonly double[,] A = { { 2.5, -1.5 }, { -1.5, 2 } };

    /// <summary>The paper-style default start.</summary>
    public static readonly Vec2 DefaultStart = new(-1.6, -0.4);

    private readonly double[] _lambda = new double[2];
    private readonly Vec2[] _eigenvectors = new Vec2[2];

    /// <summary>Diagonalises A.</summary>
    public QuadraticLoss()
    {
        double a = A[0, 0], b = A[0, 1], d = A[1, 1];
        double mid = (a + d) / 2, radius = Math.Sqrt((a - d) * (a - d) / 4 + b * b);
        _lambda[0] = mid + radius;
        _lambda[1] = mid - radius;
        for (int i = 0; i < 2; i++)
        {
            var v = new Vec2(b, _lambda[i] - a);
            _eigenvectors[i] = (1 / v.Length) * v;
        }
    }

    /// <summary>Eigenvalues of A, largest first.</summary>
    public IReadOnlyList<double> Eigenvalues => _lambda;

    /// <summary>Gradient g(w) = Aw.</summary>
    public static Vec2 Gradient(Vec2 w) => new(A[0, 0] * w.X + A[0, 1] * w.Y, A[1, 0] * w.X + A[1, 1] * w.Y);

    /// <summary>Gradient descent w ← w − ηAw: steps + 1 points.</summary>
    public static Vec2[] GradientDescent(Vec2 w0, double eta, int steps)
    {
        var w = new Vec2[steps + 1];
        w[0] = w0;
        for (int n = 0; n < steps; n++) w[n + 1] = w[n] - eta * Gradient(w[n]);
        return w;
    }

    /// <summary>Heavy-ball momentum v ← βv + Aw (v₀ = 0), w ← w − ηv: steps + 1 points.</summary>
    public static Vec2[] HeavyBall(Vec2 w0, double eta, double beta, int steps)
    {
        var w = new Vec2[steps + 1];
        w[0] = w0;
        var v = new Vec2(0, 0);
        for (int n = 0; n < steps; n++)
        {
            v = beta * v + Gradient(w[n]);
            w[n + 1] = w[n] - eta * v;
        }
        return w;
    }

    /// <summary>Gradient flow dw/dt = −Aw: w(t) = S e^{−Λt} Sᵀ w₀.</summary>
    public Vec2 GradientFlow(Vec2 w0, double t) => Modal(w0, l => Math.Exp(-l * t));

    /// <summary>Modified-loss flow dw/dt = −g − (η/2)Hg = −(A + (η/2)A²)w: S e^{−(Λ + ηΛ²/2)t} Sᵀ w₀.</summary>
    public Vec2 ModifiedLossFlow(Vec2 w0, double eta, double t) => Modal(w0, l => Math.Exp(-(l + eta * l * l / 2) * t));

    /// <summary>Momentum flow (1−β)dw/dt = −Aw: S e^{−Λt/(1−β)} Sᵀ w₀.</summary>
    public Vec2 MomentumFlow(Vec2 w0, double beta, double t) => Modal(w0, l => Math.Exp(-l * t / (1 - beta)));

    /// <summary>
    /// Modified momentum flow (η/2)(1+β)w'' + (1−β)w' = −Aw with w'(0) = 0: per eigen-direction the
    /// damped oscillator γ = (1−β)/(η(1+β)), ω² = 2λᵢ/(η(1+β)) (Appendix D.2).
    /// </summary>
    public Vec2 ModifiedMomentumFlow(Vec2 w0, double eta, double beta, double t) => ModifiedMomentumFlow(w0, new Vec2(0, 0), eta, beta, t);

    /// <summary>The modified momentum flow with initial velocity w'(0) = <paramref name="v0"/>: per direction x₀·free(t) + v₀·G(t).</summary>
    public Vec2 ModifiedMomentumFlow(Vec2 w0, Vec2 v0, double eta, double beta, double t)
    {
        var result = new Vec2(0, 0);
        for (int i = 0; i < 2; i++)
        {
            var oscillator = new DampedOscillator((1 - beta) / (eta * (1 + beta)), Math.Sqrt(2 * _lambda[i] / (eta * (1 + beta))));
            result += (oscillator.Free(t) * _eigenvectors[i].Dot(w0) + oscillator.Green(t) * _eigenvectors[i].Dot(v0)) * _eigenvectors[i];
        }
        return result;
    }

    /// <summary>Σᵢ factor(λᵢ)·⟨sᵢ, w₀⟩·sᵢ.</summary>
    private Vec2 Modal(Vec2 w0, Func<double, double> factor)
    {
        var result = new Vec2(0, 0);
        for (int i = 0; i < 2; i++) result += (factor(_lambda[i]) * _eigenvectors[i].Dot(w0)) * _eigenvectors[i];
        return result;
    }
}
