using ScottPlot;

namespace NeuralMechanics.Reporting;

/// <summary>Colours, fonts and sizes shared by every figure.</summary>
internal static class FigureStyle
{
    public const string Font = "DejaVu Sans";
    public const string TimeLabel = "time (η × steps)";
    public const int PanelWidth = 640;
    public const int PanelHeight = 430;
    /// <summary>A panel with its legend on the right.</summary>
    public const int WidePanelWidth = 800;
    public const int SmallPanelWidth = 440;
    public const int SmallPanelHeight = 320;

    /// <summary>Colour-blind-safe categories (Okabe–Ito without black, which marks predictions).</summary>
    private static readonly Color[] Categories =
    [
        new("#0072B2"), new("#D55E00"), new("#009E73"), new("#CC79A7"),
        new("#E69F00"), new("#56B4E9"), new("#8C564B"), new("#7F7F7F"),
    ];

    /// <summary>The colour of category <paramref name="index"/> (a weight decay, a β, a layer).</summary>
    public static Color Category(int index) => Categories[index % Categories.Length];

    /// <summary>
    /// Shade <paramref name="index"/> of <paramref name="count"/> of a category colour, light to dark,
    /// so the curves of one λ (its layers or units) stay recognisably one colour.
    /// </summary>
    public static Color Shade(Color color, int index, int count)
    {
        if (count <= 1) return color;
        var t = index / (double)(count - 1);
        return t < 0.5 ? color.MixedWith(Colors.White, 0.55 * (1 - 2 * t)) : color.MixedWith(Colors.Black, 0.45 * (2 * t - 1));
    }

    /// <summary>The black of predictions.</summary>
    public static readonly Color Prediction = Colors.Black;
}
