using System.CommandLine;
using System.Globalization;
using NeuralMechanics.Toys;

namespace NeuralMechanics.Cli.Commands;

/// <summary>
/// <c>nmech toy fig2|fig3|fig4|fig7|all</c>: draws the paper's toy figures (PNG and SVG) and prints,
/// per panel, the number each one demonstrates (for Fig. 4 and 7 the mean distance of every
/// continuous model from the discrete iterates).
/// </summary>
internal static class ToyCommand
{
    /// <summary>Default learning rate of Fig. 4 and Fig. 7 (the paper's Fig. 7 value).</summary>
    public const double DefaultLearningRate = 0.1;

    /// <summary>Default momentum of Fig. 4(b).</summary>
    public const double DefaultMomentum = 0.7;

    private static readonly string[] Figures = ["fig2", "fig3", "fig4", "fig7", "all"];

    public static Command Create()
    {
        var figure = new Argument<string>("figure") { Description = "Which figure: fig2 (symmetry fields), fig3 (conservation), fig4 (modified equations on a quadratic), fig7 (circular motion) or all" };
        figure.AcceptOnlyFromAmong(Figures);
        var output = new Option<string>("--out") { Description = "Output directory", DefaultValueFactory = _ => "toys" };
        var lr = new Option<double>("--lr") { Description = "Learning rate η of Fig. 4 and 7", DefaultValueFactory = _ => DefaultLearningRate };
        var momentum = new Option<double>("--momentum") { Description = "Momentum β of Fig. 4(b)", DefaultValueFactory = _ => DefaultMomentum };
        var cmd = new Command("toy", "Draw the paper's toy figures (2, 3, 4, 7) as PNG and SVG and print what each panel shows");
        cmd.Arguments.Add(figure);
        cmd.Options.Add(output);
        cmd.Options.Add(lr);
        cmd.Options.Add(momentum);
        cmd.SetAction(parse =>
        {
            string which = parse.GetValue(figure)!;
            string directory = parse.GetValue(output)!;
            double eta = parse.GetValue(lr), beta = parse.GetValue(momentum);
            if (!(eta > 0) || double.IsInfinity(eta))
                throw new InvalidInputException($"--lr: expected a positive finite number, found {eta}");
            if (!(beta >= 0 && beta < 1))
                throw new InvalidInputException($"--momentum: expected a number in [0, 1), found {beta}");
            var results = new List<ToyFigureResult>();
            if (which is "fig2" or "all") results.Add(ToyFigures.Fig2(directory));
            if (which is "fig3" or "all") results.Add(ToyFigures.Fig3(directory));
            if (which is "fig4" or "all") results.Add(ToyFigures.Fig4(directory, eta, beta));
            if (which is "fig7" or "all") results.Add(ToyFigures.Fig7(directory, eta));
            foreach (var result in results)
            {
                Console.WriteLine($"{result.Figure}: {string.Join(", ", result.Files)}");
                foreach (var m in result.Metrics)
                    Console.WriteLine($"  {m.Panel} | {m.Quantity}: {m.Value.ToString("G4", CultureInfo.InvariantCulture)}");
            }
            return 0;
        });
        return cmd;
    }
}
