namespace NeuralMechanics.Tests.Theory;

/// <summary>Classical fourth-order Runge–Kutta with a fixed step, for reference solutions.</summary>
internal static class Rk4
{
    /// <summary>Integrates y' = f(y) from y over time <paramref name="span"/> in <paramref name="substeps"/> steps.</summary>
    public static double[] Integrate(Func<double[], double[]> f, double[] y, double span, int substeps)
    {
        double h = span / substeps;
        var state = (double[])y.Clone();
        for (int s = 0; s < substeps; s++)
        {
            var k1 = f(state);
            var k2 = f(Add(state, k1, h / 2));
            var k3 = f(Add(state, k2, h / 2));
            var k4 = f(Add(state, k3, h));
            for (int i = 0; i < state.Length; i++)
                state[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        }
        return state;
    }

    private static double[] Add(double[] y, double[] k, double c)
    {
        var r = new double[y.Length];
        for (int i = 0; i < y.Length; i++) r[i] = y[i] + c * k[i];
        return r;
    }
}
