using System.Globalization;
using System.Text;
using NeuralMechanics.Symmetry;

namespace NeuralMechanics.Bench;

/// <summary>Everything one benchmark run measured, and its Markdown form.</summary>
/// <param name="Options">The command line.</param>
/// <param name="Device">The device, described.</param>
/// <param name="Started">When the run began (UTC).</param>
/// <param name="LoadBefore">1-minute load average when the run began.</param>
/// <param name="LoadAfter">1-minute load average when it ended.</param>
/// <param name="Timings">Step times per workload.</param>
/// <param name="Memory">Tracker memory per model.</param>
/// <param name="PyTorch">Plain PyTorch's process (its version, threads and BLAS; its windows are in <see cref="Timings"/>), or null when not timed.</param>
/// <param name="PyTorchNote">Why PyTorch was not timed, or null.</param>
public sealed record Report(BenchOptions Options, string Device, DateTime Started, string? LoadBefore, string? LoadAfter,
    IReadOnlyList<StepTimings> Timings, IReadOnlyList<MemoryFigure> Memory, PyTorchTimings? PyTorch = null, string? PyTorchNote = null)
{
    // Which BLAS PyTorch ran on: Debian's reference BLAS is several times slower than OpenBLAS at the MLP's matrix products.
    private static string BlasNote(IReadOnlyList<string> blas)
    {
        if (blas.Count == 0) return "Its BLAS: unknown.";
        string list = string.Join(", ", blas.Select(b => "`" + b + "`"));
        bool reference = blas.Any(b => b.Contains("/blas/", StringComparison.Ordinal));
        return "Its BLAS: " + list + (reference ? " (Debian's reference BLAS; `apt install libopenblas0-pthread` gives it OpenBLAS)." : ".");
    }

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>"median (min–max)" of paired ratios, two decimals.</summary>
    public static string RatioCell(IReadOnlyCollection<double> ratios) =>
        string.Create(Inv, $"**{OrderStatistics.Median(ratios):0.00}** ({ratios.Min():0.00}–{ratios.Max():0.00})");

    /// <summary>A byte count in B, KiB or MiB.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(Inv, $"{bytes} B"),
        < 1024 * 1024 => string.Create(Inv, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(Inv, $"{bytes / (1024.0 * 1024):0.0} MiB"),
    };

    /// <summary>The report as Markdown.</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        string N(long n) => n.ToString("N0", Inv);
        Line("# NeuralMechanics benchmark");
        Line();
        Line($"- machine: {Machine.CpuModel()}, {Environment.ProcessorCount} cores; device {Device}");
        Line(string.Create(Inv, $"- date: {Started:yyyy-MM-dd HH:mm} UTC; 1-min load average {LoadBefore ?? "?"} before, {LoadAfter ?? "?"} after"));
        Line($"- software: {Machine.Versions()}");
        Line($"- command: `dotnet run -c Release --project bench/NeuralMechanics.Bench -- --device {Options.Device}{(Options.Quick ? " --quick" : "")}{(Options.Out is null ? "" : " --out " + Options.Out)}{(Options.Json is null ? "" : " --json " + Options.Json)}{(Options.Workloads is null ? "" : " --workloads " + string.Join(",", Options.Workloads))}`");
        var chunks = Timings.Select(t => t.ChunkSteps).Distinct().ToList();
        Line("- method: per variant its own model (same seed) on two synthetic batches already on the device; a step is " +
             "forward + backward (+ tracker.Observe with Parquet and TensorBoard sinks) + optimizer step. After a warm-up the variants take turns " +
             $"({string.Join("/", chunks)} step(s) per turn, order rotated every turn) through {Options.Windows} windows of equal step counts, a multiple of 50. " +
             "Rows are written as in a training run (Parquet parts every 65,536 rows or 30 s, on a background thread). ms = median over windows of the mean step time.");
        Line("- ratio cells: median over windows of the ratio to the untracked steps of the same window (min–max in brackets).");
        Line();

        string cpu = Machine.CpuModel();
        Line($"## Training step: tracked / untracked ({cpu})");
        Line();
        Line("| model | input | batch | optimizer | groups | window | untracked ms | tracked, neurons /50: ms | ratio | tracked, neurons every step: ms | ratio | untracked + λ_max /16: ms | ratio |");
        Line("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var t in Timings)
        {
            var w = t.Workload;
            Line(string.Create(Inv, $"| {w.Label} | {w.InputText}, {w.Classes} classes | {w.BatchSize} | {Optimizer(w)} | {N(t.Groups)} | {t.WindowSteps} | ") +
                 string.Create(Inv, $"{t.Median(Variant.Untracked):0.00} | {t.Median(Variant.TrackedEvery50):0.00} | {RatioCell(t.Ratios(Variant.TrackedEvery50))} | ") +
                 string.Create(Inv, $"{t.Median(Variant.TrackedEveryStep):0.00} | {RatioCell(t.Ratios(Variant.TrackedEveryStep))} | ") +
                 string.Create(Inv, $"{t.Median(Variant.SharpnessEvery16):0.00} | {RatioCell(t.Ratios(Variant.SharpnessEvery16))} |"));
        }
        Line();
        Line($"λ_max /16: the sharpness (Lanczos on Hessian-vector products, estimated relative error ≤ {NeuralMechanics.Tracking.Sharpness.DefaultTolerance:0e0}, " +
             $"at most {NeuralMechanics.Tracking.Sharpness.DefaultMaxIterations} products, warm-started) every {Variants.SharpnessEvery} steps on an untracked run; " +
             "a window of 50·k steps holds ⌊50k/16⌋ or one more of them. Cockpit's published λ_max costs ≈ 1.4 × a step at this interval (GPU).");
        Line();

        Line($"## Untracked step / plain PyTorch on this machine ({cpu})");
        Line();
        if (PyTorch is null) Line($"Not measured: {PyTorchNote ?? "no python3 with torch"}.");
        else
        {
            Line(string.Create(Inv, $"PyTorch {PyTorch.Version}, {PyTorch.Threads} CPU threads, bench/{PyTorchTimings.Script} --serve") +
                 " (the same models, batches, loss and SGD; forward, backward, accuracy, loss and accuracy read, optimizer step; " +
                 "MKL and oneDNN at PyTorch's defaults, OPENBLAS_NUM_THREADS=1 unless set), a window of its own after each of nmech's windows; " +
                 "ratio: median over windows of nmech's untracked step over PyTorch's next window (min–max). " + BlasNote(PyTorch.Blas));
            Line();
            Line("| model | parameters: ours / PyTorch | ours, untracked ms | PyTorch ms | ratio | PyTorch channels-last ms | ratio |");
            Line("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var t in Timings)
                if (t.PyTorch is { } theirs)
                    Line(string.Create(Inv, $"| {t.Workload.Label} | {N(t.Parameters)} / {(t.PyTorchParameters is { } p ? N(p) : "?")} | ") +
                         string.Create(Inv, $"{t.Median(Variant.Untracked):0.00} | {OrderStatistics.Median(theirs):0.00} | {RatioCell(t.PyTorchRatios()!)} | ") +
                         (t.PyTorchChannelsLast is { } cl
                             ? string.Create(Inv, $"{OrderStatistics.Median(cl):0.00} | {RatioCell(t.PyTorchChannelsLastRatios()!)} |")
                             : "— | — |"));
            Line();
            Line("The PyTorch twins: the zoo's networks written in PyTorch (resnet18 ×1/4: torchvision's ResNet and BasicBlock with the zoo's " +
                 "CIFAR stem, a 3×3 stride-1 convolution and no max-pool, and every stage at a quarter of its channels); the parameter counts " +
                 "check that both sides train the same network. The ONNX rows import PyTorch's training-mode exports of its VGG-11 ×1/4 " +
                 "and ResNet-18 ×1/4 twins: compare each with the zoo's row above it.");
        }
        Line();

        var referenced = Timings.Where(t => t.Workload.ReferenceMilliseconds is not null).ToList();
        if (referenced.Count > 0)
        {
            Line($"## Untracked step / plain PyTorch (../shared/gpu/README.md, H100, PyTorch 2.11; ours on {Device})");
            Line();
            Line("| model | ours, untracked ms | PyTorch ms | ratio |");
            Line("| --- | ---: | ---: | ---: |");
            foreach (var t in referenced)
            {
                double ours = t.Median(Variant.Untracked), theirs = t.Workload.ReferenceMilliseconds!.Value;
                Line(string.Create(Inv, $"| {t.Workload.Label} | {ours:0.00} | {theirs:0.0} | **{ours / theirs:0.00}** |"));
            }
            Line();
        }

        Line($"## Tracker memory (state kept between steps; models built on the CPU, {cpu})");
        Line();
        Line("| model | input | parameters P | groups (translation / scale / rescale) | group sets | tracker total | per group | reference buffers 2·P·4 B | reference / ours |");
        Line("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var m in Memory)
        {
            var g = m.Groups;
            Line(string.Create(Inv, $"| {m.Workload.Label} | {m.Workload.InputText}, {m.Workload.Classes} classes | {N(m.Parameters)} | ") +
                 string.Create(Inv, $"{N(m.TotalGroups)} ({N(g[SymmetryKind.Translation])} / {N(g[SymmetryKind.Scale])} / {N(g[SymmetryKind.Rescale])}) | ") +
                 string.Create(Inv, $"{Bytes(m.SetBytes)} | {Bytes(m.TrackerBytes)} | {(double)m.SetBytes / m.TotalGroups:0} B | {Bytes(m.ReferenceBytes)} | **{(double)m.ReferenceBytes / m.TrackerBytes:0}×** |"));
        }
        Line();
        Line("Group sets: the per-group doubles (predictor state, pending forcing, previous Q, pending angular speed); " +
             "tracker total adds the fixed-size error histograms. The reference keeps an initial and a previous copy of every parameter.");
        return md.ToString();
    }

    private static string Optimizer(Workload w) =>
        string.Create(Inv, $"η {w.Sgd.LearningRate:g}, λ {w.Sgd.WeightDecay:g}") + (w.Sgd.Momentum > 0 ? string.Create(Inv, $", β {w.Sgd.Momentum:g}") : "");
}
