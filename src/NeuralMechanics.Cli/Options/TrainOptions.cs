using System.CommandLine;
using NeuralMechanics.Models;
using NeuralMechanics.Training;

namespace NeuralMechanics.Cli.Options;

/// <summary>The options that describe a training run, shared by <c>train</c> and <c>sweep</c>.</summary>
internal sealed class TrainOptions
{
    public readonly Option<string> Model = new("--model") { Description = $"Model: {string.Join(", ", ModelZoo.Names)}", DefaultValueFactory = _ => "mlp" };
    public readonly Option<string> Data = new("--data") { Description = "Dataset: fashion-mnist, mnist, cifar10, cifar100, tiny-imagenet, synthetic or synthetic:CxHxW:K", DefaultValueFactory = _ => "synthetic" };
    public readonly Option<string?> DataDir = new("--data-dir") { Description = "Folder holding the dataset (default: /usr/share/datasets/<name>)" };
    public readonly Option<int?> TrainLimit = new("--train-limit") { Description = "Use only the first N training examples" };
    public readonly Option<double> Width = new("--width") { Description = "VGG channel multiplier (e.g. 0.125)", DefaultValueFactory = _ => 1 };
    public readonly Option<int> Depth = new("--depth") { Description = "MLP hidden layers", DefaultValueFactory = _ => 2 };
    public readonly Option<int> Hidden = new("--hidden") { Description = "MLP units per hidden layer", DefaultValueFactory = _ => 256 };
    public readonly Option<string> Activation = new("--activation") { Description = "MLP activation: relu, leaky_relu, linear, tanh", DefaultValueFactory = _ => "relu" };
    public readonly Option<string> Norm = new("--norm") { Description = "MLP normalisation: none, batchnorm, layernorm", DefaultValueFactory = _ => "none" };
    public readonly Option<double> Dropout = new("--dropout") { Description = "VGG classifier dropout", DefaultValueFactory = _ => 0.5 };
    public readonly Option<string> Init = new("--init") { Description = "Weight initialisation: kaiming (the paper's) or reference (VGG classifier N(0, 0.01), MLP PyTorch's default)", DefaultValueFactory = _ => Initialisation.Kaiming };
    public readonly Option<string> Loss = new("--loss") { Description = "cross-entropy or mse", DefaultValueFactory = _ => "cross-entropy" };
    public readonly Option<double> Lr = new("--lr") { Description = "Learning rate η", DefaultValueFactory = _ => 0.1 };
    public readonly Option<double> Momentum = new("--momentum") { Description = "Momentum β", DefaultValueFactory = _ => 0 };
    public readonly Option<double> Dampening = new("--dampening") { Description = "Dampening α", DefaultValueFactory = _ => 0 };
    public readonly Option<double> Wd = new("--wd") { Description = "Weight decay λ", DefaultValueFactory = _ => 0 };
    public readonly Option<bool> Nesterov = new("--nesterov") { Description = "Nesterov momentum" };
    public readonly Option<int> Batch = new("--batch") { Description = "Batch size", DefaultValueFactory = _ => 128 };
    public readonly Option<double> Epochs = new("--epochs") { Description = "Epochs (when --steps is not given)", DefaultValueFactory = _ => 1 };
    public readonly Option<long?> Steps = new("--steps") { Description = "Number of updates (overrides --epochs)" };
    public readonly Option<long> Seed = new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 0 };
    public readonly Option<int> LogEvery = new("--log-every") { Description = "Per-neuron rows every K steps (default: at most ~500 logged steps)", DefaultValueFactory = _ => 0 };
    public readonly Option<int> CheckpointEvery = new("--checkpoint-every") { Description = "Checkpoint every N steps (and at the end; 0: only at the end)", DefaultValueFactory = _ => 1000 };
    public readonly Option<string> Device = new("--device") { Description = "cpu, cuda or auto", DefaultValueFactory = _ => "cpu" };
    public readonly Option<bool> NoTrack = new("--no-track") { Description = "Do not track symmetries (plain training, for comparison)" };

    /// <summary>Every option, to add to a command.</summary>
    public IEnumerable<Option> All => [Model, Data, DataDir, TrainLimit, Width, Depth, Hidden, Activation, Norm, Dropout, Init, Loss,
        Lr, Momentum, Dampening, Wd, Nesterov, Batch, Epochs, Steps, Seed, LogEvery, CheckpointEvery, Device, NoTrack];

    /// <summary>The run configuration the command line describes.</summary>
    public TrainConfig Bind(ParseResult r, string outDir) => new()
    {
        Model = r.GetValue(Model)!,
        ModelOptions = new ModelOptions(r.GetValue(Width), r.GetValue(Depth), r.GetValue(Hidden), r.GetValue(Activation)!, r.GetValue(Norm)!, r.GetValue(Dropout), Initialisation.Parse(r.GetValue(Init)!)),
        Data = r.GetValue(Data)!,
        DataDir = r.GetValue(DataDir),
        TrainLimit = r.GetValue(TrainLimit),
        Loss = LossKindNames.Parse(r.GetValue(Loss)!),
        Optimizer = new SgdSettings(r.GetValue(Lr), r.GetValue(Wd), r.GetValue(Momentum), r.GetValue(Dampening), r.GetValue(Nesterov)),
        BatchSize = r.GetValue(Batch),
        Epochs = r.GetValue(Epochs),
        Steps = r.GetValue(Steps),
        Seed = r.GetValue(Seed),
        LogEvery = r.GetValue(LogEvery),
        CheckpointEvery = r.GetValue(CheckpointEvery),
        Device = r.GetValue(Device)!,
        Track = !r.GetValue(NoTrack),
        OutDir = outDir,
    };
}
