using NeuralMechanics;
using NeuralMechanics.Bench;
using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using TorchSharp;
using static TorchSharp.torch;

NativeEnvironment.Apply();
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (InvalidInputException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

try
{
    var device = Devices.Resolve(options.Device);
    var started = DateTime.UtcNow;
    string? loadBefore = Machine.LoadAverage();
    bool cuda = device.type == DeviceType.CUDA;
    var timed = new List<Workload>(cuda
        ? [Workload.Mlp, Workload.Vgg11Quarter, Workload.ResNet18Quarter, Workload.Vit, Workload.Vgg16, Workload.Vgg16Bn]
        : [Workload.Mlp, Workload.Vgg11Quarter, Workload.ResNet18Quarter, Workload.Vit]);
    // A folder of its own: one left by a killed bench (its process id since reused) cannot collide.
    string scratch = Directory.CreateTempSubdirectory("nmech-bench-").FullName;
    PyTorchTimings? pytorch = null;
    string? pytorchNote = null;
    if (!options.PyTorch) pytorchNote = "--no-pytorch";
    else if (PyTorchTimings.FindPython(options.Python) is not { } python)
        pytorchNote = options.Python is null ? "no python3 with torch (python3 on the PATH, /usr/bin/python3)" : $"--python {options.Python} cannot import torch";
    else
    {
        if (options.Workloads?.Contains("onnx") ?? true)
        {
            // Imported networks next to the zoo's same ones: PyTorch exports its twins of VGG-11 ×1/4 and ResNet-18 ×1/4
            // (torchvision's ResNet with the zoo's stem) and nmech reads the files.
            foreach (var of in new[] { Workload.Vgg11Quarter, Workload.ResNet18Quarter })
            {
                string onnx = Path.Combine(scratch, $"{of.PyTorchKey}.onnx");
                Console.Error.WriteLine($"ONNX: {python} {PyTorchTimings.Script} --export-onnx {of.PyTorchKey} {onnx}");
                try
                {
                    PyTorchTimings.ExportOnnx(python, of.PyTorchKey, onnx);
                    timed.Insert(timed.IndexOf(of) + 1, Workload.Imported(of, onnx));
                }
                catch (InvalidInputException e)
                {
                    // Its torch may lack the exporter's dependencies; the other rows do not need it.
                    Console.Error.WriteLine($"no ONNX row for {of.Label}: {e.Message}");
                }
            }
        }
        if (options.Paired)
        {
            // The imported networks against the zoo's, step by step in one process; nothing else is timed.
            var pairs = new List<ImportedPair>();
            try
            {
                foreach (var of in new[] { Workload.Vgg11Quarter, Workload.ResNet18Quarter })
                {
                    if (timed.FirstOrDefault(w => w.Key == "onnx" && w.PyTorchKey == of.PyTorchKey) is not { } imported) continue;
                    Console.Error.WriteLine($"{of.Label}: the zoo's and the imported network, turn by turn");
                    pairs.Add(ImportedPair.Measure(of, imported.Model, device, options.Windows, options.Quick ? 10 : 20, scratch, Console.Error.WriteLine));
                }
            }
            finally
            {
                if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
            }
            string table = ImportedPair.ToMarkdown(pairs, Machine.Describe(device), loadBefore, Machine.LoadAverage());
            Console.WriteLine(table);
            if (options.Out is { } pairedOut) AtomicFile.WriteAllText(pairedOut, table);
            return 0;
        }
        Console.Error.WriteLine($"plain PyTorch: {python} {PyTorchTimings.Script} --serve, a window after each of nmech's");
        pytorch = PyTorchTimings.Start(python, cuda ? "cuda" : "cpu", torch.get_num_threads());
    }
    if (options.Paired)
    {
        Console.Error.WriteLine($"--paired: PyTorch exports the networks it compares, and it cannot here ({pytorchNote})");
        return 2;
    }
    if (options.Workloads is { } only) timed.RemoveAll(w => !only.Contains(w.Key));
    foreach (var w in timed) NativeEnvironment.PrepareConvolutions(ModelZoo.ConvolutionChannels(w.Model, w.Options));
    var timings = new List<StepTimings>();
    try
    {
        foreach (var w in timed)
            timings.Add(StepTimings.Measure(w, device, options.Windows, windowSeconds: options.Quick ? 0.5 : 1.0,
                chunkSteps: cuda ? Variants.SparseLogEvery : 1, scratch, Console.Error.WriteLine, pytorch));
    }
    finally
    {
        if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        pytorch?.Dispose();
    }
    Console.Error.WriteLine("tracker memory (models built on the CPU) ...");
    var memory = new[] { Workload.Mlp, Workload.Vgg11Quarter, Workload.ResNet18Quarter, Workload.Vit, Workload.Vgg16, Workload.Vgg16Bn }
        .Where(w => options.Workloads?.Contains(w.Key) ?? true).Select(MemoryFigure.Measure).ToList();
    var report = new Report(options, Machine.Describe(device), started, loadBefore, Machine.LoadAverage(), timings, memory, pytorch, pytorchNote);
    string markdown = report.ToMarkdown();
    Console.WriteLine(markdown);
    if (options.Out is { } file)
    {
        AtomicFile.WriteAllText(file, markdown);
        Console.Error.WriteLine($"written to {file}");
    }
    if (options.Json is { } json)
    {
        AtomicFile.WriteAllText(json, BenchJson.Write(report));
        Console.Error.WriteLine($"written to {json}");
    }
    return 0;
}
catch (InvalidInputException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
