using System.CommandLine;
using NeuralMechanics.Models;
using NeuralMechanics.Training;
using NeuralMechanics.Training.Schedules;

namespace NeuralMechanics.Cli.Options;

/// <summary>The options that describe a training run, shared by <c>train</c> and <c>sweep</c>.</summary>
internal sealed class TrainOptions
{
    public readonly Option<string> Model = new("--model") { Description = $"Model: {string.Join(", ", ModelZoo.Names)}, or a PyTorch model exported to FILE.onnx in training mode (README, \"Your PyTorch model\")", DefaultValueFactory = _ => "mlp" };
    public readonly Option<string> Data = new("--data") { Description = "Dataset: fashion-mnist, mnist, cifar10, cifar100, tiny-imagenet, synthetic or synthetic:CxHxW:K", DefaultValueFactory = _ => "synthetic" };
    public readonly Option<string?> DataDir = new("--data-dir") { Description = "Folder holding the dataset (default: /usr/share/datasets/<name>)" };
    public readonly Option<int?> TrainLimit = new("--train-limit") { Description = "Use only the first N training examples" };
    public readonly Option<double> Width = new("--width") { Description = "Channel multiplier of VGG and ResNet (e.g. 0.125)", DefaultValueFactory = _ => 1 };
    public readonly Option<int?> Depth = new("--depth") { Description = "MLP hidden layers (default 2); ViT blocks (default 4)" };
    public readonly Option<int> Hidden = new("--hidden") { Description = "MLP units per hidden layer", DefaultValueFactory = _ => 256 };
    public readonly Option<string?> Activation = new("--activation") { Description = "MLP activation: relu (default), leaky_relu, linear, tanh; ViT MLP: gelu (default), relu" };
    public readonly Option<string> Norm = new("--norm") { Description = "MLP normalisation: none, batchnorm, layernorm", DefaultValueFactory = _ => "none" };
    public readonly Option<double> Dropout = new("--dropout") { Description = "VGG classifier dropout", DefaultValueFactory = _ => 0.5 };
    public readonly Option<string> Init = new("--init") { Description = "Weight initialisation: kaiming (the paper's) or reference (VGG classifier N(0, 0.01), MLP PyTorch's default)", DefaultValueFactory = _ => Initialisation.Kaiming };
    public readonly Option<int> Patch = new("--patch") { Description = "ViT patch size", DefaultValueFactory = _ => 7 };
    public readonly Option<int> Dim = new("--dim") { Description = "ViT features per token", DefaultValueFactory = _ => 64 };
    public readonly Option<int> Heads = new("--heads") { Description = "ViT attention heads", DefaultValueFactory = _ => 4 };
    public readonly Option<double> MlpRatio = new("--mlp-ratio") { Description = "ViT MLP hidden units per feature", DefaultValueFactory = _ => 2 };
    public readonly Option<string> Loss = new("--loss") { Description = "cross-entropy or mse", DefaultValueFactory = _ => "cross-entropy" };
    public readonly Option<double> Lr = new("--lr") { Description = "Learning rate η", DefaultValueFactory = _ => 0.1 };
    public readonly Option<double> Momentum = new("--momentum") { Description = "Momentum β", DefaultValueFactory = _ => 0 };
    public readonly Option<double> Dampening = new("--dampening") { Description = "Dampening α", DefaultValueFactory = _ => 0 };
    public readonly Option<double> Wd = new("--wd") { Description = "Weight decay λ", DefaultValueFactory = _ => 0 };
    public readonly Option<bool> Nesterov = new("--nesterov") { Description = "Nesterov momentum" };
    public readonly Option<string> Optimizer = new("--optimizer") { Description = $"Update rule: {string.Join(", ", OptimizerKindNames.All)} (PyTorch semantics; lion as lion-pytorch)", DefaultValueFactory = _ => "sgd" };
    public readonly Option<string?> Betas = new("--betas") { Description = "Adam's or Lion's β₁,β₂ (default: the optimizer's; Adam 0.9,0.999, Lion 0.9,0.99)" };
    public readonly Option<double> Eps = new("--eps") { Description = "Adam ε", DefaultValueFactory = _ => 1e-8 };
    public readonly Option<string> NoDecay = new("--no-decay") { Description = "Parameters without weight decay: norm, bias, norm,bias or none", DefaultValueFactory = _ => "none" };
    public readonly Option<string?> Schedule = new("--schedule") { Description = "Learning-rate schedule: constant, step (with --lr-drops) or cosine (default: step with --lr-drops, else constant)" };
    public readonly Option<string?> LrDrops = new("--lr-drops") { Description = "Steps at which η is multiplied by --lr-drop-rate, e.g. 30000,60000" };
    public readonly Option<double> LrDropRate = new("--lr-drop-rate") { Description = "Factor of each learning-rate drop", DefaultValueFactory = _ => 0.1 };
    public readonly Option<long> WarmupSteps = new("--warmup-steps") { Description = "Linear warmup: η·(n+1)/N for the first N updates", DefaultValueFactory = _ => 0 };
    public readonly Option<int> Batch = new("--batch") { Description = "Batch size", DefaultValueFactory = _ => 128 };
    public readonly Option<double> Epochs = new("--epochs") { Description = "Epochs (when --steps is not given)", DefaultValueFactory = _ => 1 };
    public readonly Option<long?> Steps = new("--steps") { Description = "Number of updates (overrides --epochs)" };
    public readonly Option<long> Seed = new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 0 };
    public readonly Option<int> LogEvery = new("--log-every") { Description = "Per-neuron rows every K steps (default: at most ~500 logged steps)", DefaultValueFactory = _ => 0 };
    public readonly Option<int?> EvalEvery = new("--eval-every") { Description = "Test accuracy every N steps into eval/ (default: about 20 points a run; 0: off)" };
    public readonly Option<int> SharpnessEvery = new("--sharpness-every") { Description = "Sharpness λ_max (Lanczos on Hessian-vector products) and the optimizer's stability threshold every K steps into stability/ (0: off)", DefaultValueFactory = _ => 0 };
    public readonly Option<int> NoiseEvery = new("--noise-every") { Description = "Gradient noise scale B_simple from per-example gradients every K steps into noise/ (0: off)", DefaultValueFactory = _ => 0 };
    public readonly Option<int> CheckpointEvery = new("--checkpoint-every") { Description = "Checkpoint every N steps (and at the end; 0: only at the end)", DefaultValueFactory = _ => 1000 };
    public readonly Option<string> Device = new("--device") { Description = "cpu, cuda or auto", DefaultValueFactory = _ => "cpu" };
    public readonly Option<bool> NoTrack = new("--no-track") { Description = "Do not track symmetries (plain training, for comparison)" };
    public readonly Option<string?> Spec = new("--spec") { Description = "Run specification (JSON, as in a manifest's \"spec\" or a sweep's specs/); options given as well override its values", HelpName = "FILE" };

    /// <summary>What builds the model and draws its data, for the commands that analyse a model without training it (symmetries, laws).</summary>
    public IEnumerable<Option> ModelAndData => [Model, Data, DataDir, Width, Depth, Hidden, Activation, Norm, Dropout, Init, Patch, Dim, Heads, MlpRatio, Loss, Seed];

    /// <summary>Every option, to add to a command.</summary>
    public IEnumerable<Option> All => [Model, Data, DataDir, TrainLimit, Width, Depth, Hidden, Activation, Norm, Dropout, Init, Patch, Dim, Heads, MlpRatio, Loss,
        Lr, Momentum, Dampening, Wd, Nesterov, Optimizer, Betas, Eps, NoDecay, Schedule, LrDrops, LrDropRate, WarmupSteps, Batch, Epochs, Steps, Seed, LogEvery, EvalEvery, SharpnessEvery, NoiseEvery, CheckpointEvery, Device, NoTrack, Spec];

    /// <summary>
    /// The model options the command line describes over <paramref name="from"/>; without it, options
    /// not given take the model's defaults (<see cref="ModelZoo.DefaultOptions"/>).
    /// </summary>
    public ModelOptions BindModel(ParseResult r, ModelOptions? from = null)
    {
        bool inheriting = from is not null;
        var m = from ?? ModelZoo.DefaultOptions(r.GetValue(Model)!);
        // --depth and --activation have no default of their own: the model's (or the spec's) applies.
        return new ModelOptions(Pick(r, Width, inheriting, m.Width), r.GetValue(Depth) ?? m.Depth, Pick(r, Hidden, inheriting, m.Hidden),
            r.GetValue(Activation) ?? m.Activation, Pick(r, Norm, inheriting, m.Norm), Pick(r, Dropout, inheriting, m.Dropout),
            Pick(r, Init, inheriting, Initialisation.Parse, m.Init),
            Pick(r, Patch, inheriting, m.Patch), Pick(r, Dim, inheriting, m.Dim), Pick(r, Heads, inheriting, m.Heads), Pick(r, MlpRatio, inheriting, m.MlpRatio));
    }

    /// <summary>The optimizer settings the command line describes over <paramref name="from"/> (validated with the rest of the configuration).</summary>
    public OptimizerSettings BindOptimizer(ParseResult r, OptimizerSettings? from = null)
    {
        bool inheriting = from is not null;
        var schedule = from?.Schedule ?? LrSchedule.Constant;
        var drops = r.GetValue(LrDrops) is { } d ? LrSchedule.ParseDrops(d) : schedule.Drops;
        // A schedule named wins; drops given alone mean a step schedule; nothing given keeps the spec's.
        var kind = r.GetValue(Schedule) is { } s ? LrSchedule.ParseKind(s)
            : inheriting && !Given(r, LrDrops) ? schedule.Kind
            : drops.Length > 0 ? ScheduleKind.Step : ScheduleKind.Constant;
        var optimizer = Pick(r, Optimizer, inheriting, OptimizerKindNames.Parse, from?.Kind ?? default);
        // Betas not given: the specification's, else the rule's own defaults.
        var (beta1, beta2) = Given(r, Betas) ? OptimizerSettings.ParseBetas(r.GetValue(Betas)!)
            : inheriting ? (from!.Beta1, from.Beta2) : OptimizerRegistry.Get(optimizer).DefaultBetas;
        return new OptimizerSettings
        {
            Kind = optimizer,
            LearningRate = Pick(r, Lr, inheriting, from?.LearningRate ?? 0), WeightDecay = Pick(r, Wd, inheriting, from?.WeightDecay ?? 0),
            Momentum = Pick(r, Momentum, inheriting, from?.Momentum ?? 0), Dampening = Pick(r, Dampening, inheriting, from?.Dampening ?? 0),
            Nesterov = Pick(r, Nesterov, inheriting, from?.Nesterov ?? false),
            Beta1 = beta1, Beta2 = beta2, Eps = Pick(r, Eps, inheriting, from?.Eps ?? 0),
            NoDecay = Pick(r, NoDecay, inheriting, DecayExclusions.Parse, from?.NoDecay ?? DecayExclusion.None),
            Schedule = new LrSchedule
            {
                Kind = kind, Drops = drops, DropRate = Pick(r, LrDropRate, inheriting, schedule.DropRate),
                WarmupSteps = Pick(r, WarmupSteps, inheriting, schedule.WarmupSteps), Horizon = schedule.Horizon,
            },
        };
    }

    /// <summary>
    /// The run specification the command line describes: the <c>--spec</c> file's, with every option
    /// given on the command line set over it; without <c>--spec</c>, the options with their defaults.
    /// </summary>
    public RunSpec Bind(ParseResult r, string outDir)
    {
        var from = r.GetValue(Spec) is { } file ? RunSpec.Read(file) : null;
        bool inheriting = from is not null;
        return new RunSpec
        {
            Model = Pick(r, Model, inheriting, from?.Model!),
            ModelOptions = BindModel(r, from?.ModelOptions),
            Data = Pick(r, Data, inheriting, from?.Data!),
            DataDir = Pick(r, DataDir, inheriting, from?.DataDir),
            TrainLimit = Pick(r, TrainLimit, inheriting, from?.TrainLimit),
            Loss = Pick(r, Loss, inheriting, LossKindNames.Parse, from?.Loss ?? default),
            Optimizer = BindOptimizer(r, from?.Optimizer),
            BatchSize = Pick(r, Batch, inheriting, from?.BatchSize ?? 0),
            Epochs = Pick(r, Epochs, inheriting, from?.Epochs ?? 0),
            Steps = Pick(r, Steps, inheriting, from?.Steps),
            Seed = Pick(r, Seed, inheriting, from?.Seed ?? 0),
            LogEvery = Pick(r, LogEvery, inheriting, from?.LogEvery ?? 0),
            EvalEvery = Pick(r, EvalEvery, inheriting, from?.EvalEvery),
            SharpnessEvery = Pick(r, SharpnessEvery, inheriting, from?.SharpnessEvery ?? 0),
            NoiseEvery = Pick(r, NoiseEvery, inheriting, from?.NoiseEvery ?? 0),
            CheckpointEvery = Pick(r, CheckpointEvery, inheriting, from?.CheckpointEvery ?? 0),
            Device = Pick(r, Device, inheriting, from?.Device!),
            Track = Pick(r, NoTrack, inheriting, noTrack => !noTrack, from?.Track ?? true),
            OutDir = outDir,
        };
    }

    private static bool Given(ParseResult r, Option option) => r.GetResult(option) is { Implicit: false };

    /// <summary>The option's value where it was given or there is no specification to inherit from; else <paramref name="inherited"/>.</summary>
    private static T Pick<T>(ParseResult r, Option<T> option, bool inheriting, T inherited) =>
        !inheriting || Given(r, option) ? r.GetValue(option)! : inherited;

    /// <summary><see cref="Pick{T}"/> for an option whose text is parsed.</summary>
    private static TValue Pick<T, TValue>(ParseResult r, Option<T> option, bool inheriting, Func<T, TValue> parse, TValue inherited) =>
        !inheriting || Given(r, option) ? parse(r.GetValue(option)!) : inherited;
}
