using NeuralMechanics;
using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Reporting;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CustomResNet;

/// <summary>
/// nmech on a model of your own: describe it, find and verify its symmetries, train it on
/// Fashion-MNIST (synthetic data when the Debian package is not installed) with every group
/// tracked, and write the report. <c>dotnet run --project examples/CustomResNet -- [--steps N] [--out DIR]</c>.
/// </summary>
public static class Example
{
    public static int Run(string[] args)
    {
        long steps = args.SkipWhile(a => a != "--steps").Skip(1).Select(long.Parse).FirstOrDefault(400);
        string outDir = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault() ?? Path.Combine("runs", "custom-resnet");
        bool fashion = DataSets.Discover().Any(d => d.Name == "fashion-mnist" && d.Found);
        if (!fashion) Console.WriteLine("Fashion-MNIST is not installed (sudo apt-get install dataset-fashion-mnist): using synthetic data");
        var data = DataSets.Load(fashion ? "fashion-mnist" : "synthetic:1x28x28:10");

        // 1. The model, described and its symmetries found (the graph is checked against forward).
        manual_seed(1);
        var model = new SmallResNet(1, 28, 16, 10);
        var analysis = SymmetryDiscovery.Discover(Architecture.Describe(model, [1, 28, 28], LossKind.CrossEntropy));
        Console.WriteLine($"{analysis.Count(SymmetryKind.Translation)} translation, {analysis.Count(SymmetryKind.Scale)} scale, {analysis.Count(SymmetryKind.Rescale)} rescale groups");
        foreach (var note in analysis.Notes) Console.WriteLine($"note: {note}");

        // 2. Each group proven on a batch, in float64 (invariance, gradient, Hessian identities).
        var check = new SmallResNet(1, 28, 16, 10).to(ScalarType.Float64);
        var checkedGroups = SymmetryDiscovery.Discover(Architecture.Describe(check, [1, 28, 28], LossKind.CrossEntropy));
        using (var loader = new BatchLoader(data.Train.Take(64), 32, Normalization.Compute(data.Train.Take(64)), CPU, shuffle: false))
        {
            var (x, y) = loader.Next();
            var failed = SymmetryVerifier.Verify(check, checkedGroups, x.to(ScalarType.Float64), y).Where(r => !r.Passed).ToList();
            Console.WriteLine(failed.Count == 0 ? "every exact symmetry verified" : $"{failed.Count} sets failed verification");
            if (failed.Count > 0) return 1;
        }

        // 3. Trained with tracking into a run directory, then the report.
        var spec = new RunSpec
        {
            Model = "small-resnet", Data = fashion ? "fashion-mnist" : "synthetic", Optimizer = new SgdSettings(0.1, 5e-4),
            BatchSize = 64, Steps = steps, Seed = 1, OutDir = outDir,
        };
        var result = Trainer.Run(model, spec, data);
        Console.WriteLine($"{result.Status.State}: test accuracy {result.TestAccuracy:P1} after {result.Steps} steps");
        foreach (var e in result.Errors) Console.WriteLine($"{e.Kind,-12} {e.Predictor,-14} median relative error {e.Median:0.0e+0}");
        var report = Reporter.Write([result.RunDir], Path.Combine(result.RunDir, "report"));
        Console.WriteLine($"report: {report.HtmlPath}");
        return result.Status.State == NeuralMechanics.Runs.RunState.Finished ? 0 : 1;
    }
}
