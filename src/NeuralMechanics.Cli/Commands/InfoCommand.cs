using System.CommandLine;
using NeuralMechanics.Data;
using NeuralMechanics.Runs;
using Spectre.Console;
using TorchSharp;

namespace NeuralMechanics.Cli.Commands;

/// <summary><c>nmech info</c>: versions, threads, CUDA and the GPU, and which datasets are found where.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "Also look for datasets under this folder" };
        var cmd = new Command("info", "Print versions (nmech, .NET, TorchSharp, libtorch), CPU threads, CUDA and the datasets found");
        cmd.Options.Add(dataDir);
        cmd.SetAction(r =>
        {
            var table = new Table().AddColumn("item").AddColumn("value");
            foreach (var (name, version) in VersionInfo.All()) table.AddRow(name, Markup.Escape(version));
            table.AddRow("CPU threads", $"{torch.get_num_threads()} (of {Environment.ProcessorCount} logical CPUs)");
            bool cuda = Devices.CudaAvailable();
            string gpu = Devices.GpuNames() is { } names ? $" ({names})" : "";
            table.AddRow("CUDA", Markup.Escape(cuda ? $"available: {torch.cuda.device_count()} device(s){gpu}" : "not available" + gpu));
            ConsoleOutput.Write(table);
            var data = new Table().Title("datasets").AddColumn("name").AddColumn("looked in").AddColumn("found");
            foreach (var (name, directory, found) in DataSets.Discover(r.GetValue(dataDir)))
                data.AddRow(name, Markup.Escape(directory), found ? "[green]yes[/]" : "no");
            ConsoleOutput.Write(data);
            return 0;
        });
        return cmd;
    }
}
