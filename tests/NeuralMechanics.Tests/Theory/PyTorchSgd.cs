using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Theory;

/// <summary>
/// Direct double-precision simulation of torch.optim.SGD written out by hand: d = g + λθ;
/// momentum: v = d on the first step, then v ← βv + (1−α)d; θ ← θ − ηv (no momentum: θ ← θ − ηd).
/// Records per step and group the measured Q and the forcing the tracker would pass.
/// </summary>
internal static class PyTorchSgd
{
    public sealed record Trace(double[][] Q, double[][] Forcing, double[][] Norm2);

    public static Trace Run(SymmetricLoss loss, SgdSettings s, bool translation, int steps, int seed = 7)
    {
        var theta = loss.Initial(new Random(seed));
        var groups = loss.Groups;
        var v = new double[theta.Length];
        var q = new double[steps + 1][];
        var forcing = new double[steps][];
        var norm2 = new double[steps + 1][];
        q[0] = [.. groups.Select(gr => gr.Q(theta, translation))];
        norm2[0] = [.. groups.Select(gr => gr.Norm2(theta))];
        for (int n = 0; n < steps; n++)
        {
            var g = loss.Gradient(theta, n);
            var d = new double[theta.Length];
            for (int i = 0; i < theta.Length; i++) d[i] = g[i] + s.WeightDecay * theta[i];
            if (s.Momentum > 0)
            {
                for (int i = 0; i < theta.Length; i++)
                    v[i] = n == 0 ? d[i] : s.Momentum * v[i] + (1 - s.Dampening) * d[i];
                for (int i = 0; i < theta.Length; i++) theta[i] -= s.LearningRate * v[i];
                forcing[n] = [.. groups.Select(gr => gr.Q(v, false))];
            }
            else
            {
                forcing[n] = [.. groups.Select(gr => gr.Q(g, false))];
                for (int i = 0; i < theta.Length; i++) theta[i] -= s.LearningRate * d[i];
            }
            q[n + 1] = [.. groups.Select(gr => gr.Q(theta, translation))];
            norm2[n + 1] = [.. groups.Select(gr => gr.Norm2(theta))];
        }
        return new Trace(q, forcing, norm2);
    }
}
