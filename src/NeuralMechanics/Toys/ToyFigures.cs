using ScottPlot;
using ScottPlot.Plottables;

namespace NeuralMechanics.Toys;

/// <summary>
/// Paper figures 2, 3, 4 and 7 drawn with ScottPlot: each writes NAME.png and NAME.svg into a
/// directory and returns the numbers its panels demonstrate.
/// </summary>
public static class ToyFigures
{
    /// <summary>Half-width of the (w1, w2) square shown in Fig. 2 and 3.</summary>
    public const double Extent = 2;

    /// <summary>Grid points per axis of the vector fields (even, so the BatchNorm singularity w = 0 is not on it).</summary>
    public const int GridPoints = 16;

    /// <summary>RK4 steps per unit time of the Fig. 3 trajectories.</summary>
    public const int FlowStepsPerUnitTime = 2000;

    private const int PanelWidth = 640, PanelHeight = 620;

    /// <summary>Fig. 2: the negative gradient field of each toy with its symmetry's generator field.</summary>
    public static ToyFigureResult Fig2(string directory)
    {
        var panels = new List<Plot>();
        var metrics = new List<ToyPanelMetric>();
        foreach (var toy in SymmetricToy.All)
        {
            var plot = NewPanel(toy.Title, "w1", "w2");
            AddField(plot, toy, w => -toy.Gradient(w), Colors.Navy, "−∇L (negative gradient)");
            AddField(plot, toy, toy.Generator, Colors.Red.WithAlpha(0.6), "generator ∂αψ|α=I");
            FinishSquare(plot);
            panels.Add(plot);
            metrics.Add(new(toy.Kind.ToString().ToLowerInvariant(), "max |cos∠(∇L, generator)| on the grid", MaxCosine(toy)));
        }
        return new("fig2", FigureFile.Save(directory, "fig2", panels, PanelWidth, PanelHeight), metrics);
    }

    /// <summary>Fig. 3: level sets of each conserved quantity and RK4 gradient-flow trajectories on them.</summary>
    public static ToyFigureResult Fig3(string directory)
    {
        var panels = new List<Plot>();
        var metrics = new List<ToyPanelMetric>();
        foreach (var toy in SymmetricToy.All)
        {
            var plot = NewPanel(toy.Title, "w1", "w2");
            AddConservedHeatmap(plot, toy);
            AddField(plot, toy, w => -toy.Gradient(w), Colors.Gray.WithAlpha(0.7), "−∇L");
            double drift = 0;
            var palette = new ScottPlot.Palettes.Category10();
            for (int i = 0; i < toy.Starts.Count; i++)
            {
                var start = toy.Starts[i];
                bool first = i == 0;
                foreach (var curve in toy.LevelSet(toy.Conserved(start), Extent))
                {
                    var level = AddLine(plot, curve, Colors.Black, 1.2f);
                    if (first) { level.LegendText = "level set Q(w) = Q(w₀)"; first = false; }
                }
                var path = GradientFlowPath(toy, start);
                drift = Math.Max(drift, path.Max(w => Math.Abs(toy.Conserved(w) - toy.Conserved(start))));
                // Draw ~600 of the fine points; the drift above uses all of them.
                var line = AddLine(plot, Trajectories.Every(path, Math.Max(1, path.Length / 600)), palette.GetColor(i), 3);
                if (i == 0) line.LegendText = "gradient flow (RK4)";
                plot.Add.Marker(start.X, start.Y, MarkerShape.FilledCircle, 9, palette.GetColor(i));
            }
            FinishSquare(plot);
            panels.Add(plot);
            metrics.Add(new(toy.Kind.ToString().ToLowerInvariant(), "max |Q(w(t)) − Q(w₀)| along gradient flow", drift));
        }
        return new("fig3", FigureFile.Save(directory, "fig3", panels, PanelWidth, PanelHeight), metrics);
    }

    /// <summary>Fig. 4: gradient descent and heavy-ball momentum on ½wᵀAw with their plain and modified continuous models.</summary>
    public static ToyFigureResult Fig4(string directory, double eta, double beta, int steps = 40)
    {
        var panels = new[] { DiscretizationPanel.GradientDescent(eta, steps), DiscretizationPanel.Momentum(eta, beta, steps) };
        string loss = "L(w) = ½ w·(Aw), A = [[2.5, −1.5], [−1.5, 2]]";
        var plots = new List<Plot>
        {
            DrawDiscretization(panels[0], $"{panels[0].Title}: {loss}, η = {eta}", Alignment.LowerRight),
            DrawDiscretization(panels[1], $"{panels[1].Title}: {loss}, η = {eta}, β = {beta}", Alignment.UpperLeft),
        };
        return new("fig4", FigureFile.Save(directory, "fig4", plots, 820, 640), DistanceMetrics(panels));
    }

    /// <summary>Fig. 7: explicit Euler on circular motion with the exact and the modified flow.</summary>
    public static ToyFigureResult Fig7(string directory, double eta)
    {
        int steps = (int)Math.Round(2 * Math.PI / eta);
        var panel = DiscretizationPanel.Circle(eta, steps);
        var plot = DrawDiscretization(panel, $"circular motion ẋ = [[0, −1], [1, 0]]x, x₀ = (1, 0), η = {eta}", Alignment.UpperRight);
        plot.Axes.SquareUnits();
        return new("fig7", FigureFile.Save(directory, "fig7", [plot], 760, 720), DistanceMetrics([panel]));
    }

    /// <summary>The gradient-flow path of a toy from a start, by fine RK4 (<see cref="FlowStepsPerUnitTime"/>).</summary>
    public static Vec2[] GradientFlowPath(SymmetricToy toy, Vec2 start) =>
        Rk4Trajectory.Integrate(w => -toy.Gradient(w), start, toy.FlowDuration, (int)(toy.FlowDuration * FlowStepsPerUnitTime));

    private static IReadOnlyList<ToyPanelMetric> DistanceMetrics(IEnumerable<DiscretizationPanel> panels) =>
        [.. panels.SelectMany(p => p.Models.Select(m => new ToyPanelMetric($"{p.Title} ({p.DiscreteName})", $"{m.Name}: mean distance", p.MeanDistance(m))))];

    private static Plot DrawDiscretization(DiscretizationPanel panel, string title, Alignment legend)
    {
        var plot = NewPanel(title, panel.Title.Contains("circular") ? "x₁" : "w1", panel.Title.Contains("circular") ? "x₂" : "w2");
        double duration = (panel.Discrete.Length - 1) * panel.StepTime;
        const int samples = 1000;
        foreach (var model in panel.Models)
        {
            var curve = Enumerable.Range(0, samples + 1).Select(i => model.At(duration * i / samples)).ToArray();
            // Solid lines only: Skia's SVG backend drops dash effects.
            var line = AddLine(plot, curve, model.IsVariant ? Colors.DarkOrange : model.IsModified ? Colors.Red : Colors.Blue, model.IsVariant ? 1.8f : 2.5f);
            line.LegendText = model.Name;
        }
        var dots = plot.Add.ScatterPoints(panel.Discrete.Select(w => w.X).ToArray(), panel.Discrete.Select(w => w.Y).ToArray(), Colors.Black);
        dots.MarkerSize = 7;
        dots.LegendText = panel.DiscreteName;
        var start = plot.Add.Marker(panel.Discrete[0].X, panel.Discrete[0].Y, MarkerShape.OpenCircle, 16, Colors.Black);
        start.LegendText = "start";
        plot.ShowLegend(legend);
        return plot;
    }

    private static Plot NewPanel(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Title(title, 15);
        plot.XLabel(x, 15);
        plot.YLabel(y, 15);
        return plot;
    }

    private static void FinishSquare(Plot plot)
    {
        plot.Axes.SetLimits(-Extent, Extent, -Extent, Extent);
        plot.Axes.SquareUnits();
        plot.ShowLegend(Alignment.LowerRight);
    }

    private static Scatter AddLine(Plot plot, IReadOnlyList<Vec2> points, Color color, float width)
    {
        var line = plot.Add.ScatterLine(points.Select(w => w.X).ToArray(), points.Select(w => w.Y).ToArray(), color);
        line.LineWidth = width;
        return line;
    }

    private static IEnumerable<Vec2> Grid()
    {
        for (int i = 0; i < GridPoints; i++)
            for (int j = 0; j < GridPoints; j++)
                yield return new Vec2(Coordinate(i), Coordinate(j));
    }

    private static double Coordinate(int i) => -Extent + Extent * (2 * i + 1) / GridPoints;

    /// <summary>
    /// Arrow length ∝ √|v| (relative to the largest), so fields that vary by orders of magnitude stay
    /// readable. ScottPlot 5.1.57+ draws a VectorField's y component pointing down
    /// (ScottPlot issue #5172), so y is passed negated.
    /// </summary>
    private static void AddField(Plot plot, SymmetricToy toy, Func<Vec2, Vec2> field, Color color, string label)
    {
        var points = Grid().Where(toy.IsDefined).ToList();
        var values = points.Select(field).ToList();
        double max = values.Max(v => v.Length);
        var vectors = new List<RootedCoordinateVector>();
        for (int i = 0; i < points.Count; i++)
        {
            double length = values[i].Length;
            double scale = length == 0 ? 0 : Math.Sqrt(length / max) / length;
            vectors.Add(new RootedCoordinateVector(new Coordinates(points[i].X, points[i].Y),
                new System.Numerics.Vector2((float)(scale * values[i].X), (float)(-scale * values[i].Y))));
        }
        var vf = plot.Add.VectorField(vectors, color);
        vf.LegendText = label;
        vf.MaximumArrowLength = 22;
    }

    private static void AddConservedHeatmap(Plot plot, SymmetricToy toy)
    {
        const int cells = 64;
        var q = new double[cells, cells];
        for (int r = 0; r < cells; r++)
            for (int c = 0; c < cells; c++)
            {
                // Row 0 is drawn at the top.
                var w = new Vec2(-Extent + 2 * Extent * (c + 0.5) / cells, Extent - 2 * Extent * (r + 0.5) / cells);
                q[r, c] = toy.Conserved(w);
            }
        double max = q.Cast<double>().Max(Math.Abs);
        var heatmap = plot.Add.Heatmap(q);
        heatmap.Extent = new CoordinateRect(-Extent, Extent, -Extent, Extent);
        // The paper colours positive Q blue and negative Q red.
        heatmap.Colormap = new ScottPlot.Colormaps.Reversed(new ScottPlot.Colormaps.Balance());
        heatmap.ManualRange = new ScottPlot.Range(-max, max);
        heatmap.Opacity = 0.55;
        plot.Add.ColorBar(heatmap).Label = "conserved quantity Q";
    }

    private static double MaxCosine(SymmetricToy toy) =>
        Grid().Where(toy.IsDefined).Select(w =>
        {
            var g = toy.Gradient(w);
            var e = toy.Generator(w);
            double norms = g.Length * e.Length;
            return norms == 0 ? 0 : Math.Abs(g.Dot(e)) / norms;
        }).Max();
}
