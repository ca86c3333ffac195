namespace NeuralMechanics.Toys;

/// <summary>Fixed-step fourth-order Runge–Kutta for planar flows dw/dt = f(w), used as the "fine" reference.</summary>
public static class Rk4Trajectory
{
    /// <summary>
    /// Integrates from <paramref name="start"/> over [0, <paramref name="duration"/>] with
    /// <paramref name="steps"/> RK4 steps and returns all steps + 1 points.
    /// </summary>
    public static Vec2[] Integrate(Func<Vec2, Vec2> f, Vec2 start, double duration, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        double h = duration / steps;
        var points = new Vec2[steps + 1];
        points[0] = start;
        var w = start;
        for (int s = 1; s <= steps; s++)
        {
            var k1 = f(w);
            var k2 = f(w + (h / 2) * k1);
            var k3 = f(w + (h / 2) * k2);
            var k4 = f(w + h * k3);
            w += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
            points[s] = w;
        }
        return points;
    }

    /// <summary>
    /// Integrates the second-order system w'' = a(w, w') from (w0, v0) and returns the positions
    /// at the <paramref name="steps"/> + 1 grid points.
    /// </summary>
    public static Vec2[] IntegrateSecondOrder(Func<Vec2, Vec2, Vec2> a, Vec2 w0, Vec2 v0, double duration, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        double h = duration / steps;
        var points = new Vec2[steps + 1];
        points[0] = w0;
        var (w, v) = (w0, v0);
        for (int s = 1; s <= steps; s++)
        {
            var (kw1, kv1) = (v, a(w, v));
            var (kw2, kv2) = (v + (h / 2) * kv1, a(w + (h / 2) * kw1, v + (h / 2) * kv1));
            var (kw3, kv3) = (v + (h / 2) * kv2, a(w + (h / 2) * kw2, v + (h / 2) * kv2));
            var (kw4, kv4) = (v + h * kv3, a(w + h * kw3, v + h * kv3));
            w += (h / 6) * (kw1 + 2 * kw2 + 2 * kw3 + kw4);
            v += (h / 6) * (kv1 + 2 * kv2 + 2 * kv3 + kv4);
            points[s] = w;
        }
        return points;
    }
}
