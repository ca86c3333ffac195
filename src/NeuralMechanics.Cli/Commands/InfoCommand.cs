using System.CommandLine;
using System.Reflection;
using NeuralMechanics.Runs;
using Spectre.Console;
using TorchSharp;

namespace NeuralMechanics.Cli.Commands;

/// <summary><c>nmech info</c>: versions, threads, CUDA, and which datasets are found where.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var cmd = new Command("info", "Print versions (nmech, .NET, TorchSharp, libtorch), CPU threads, CUDA and the datasets found");
        cmd.SetAction(_ =>
        {
            var table = new Table().AddColumn("item").AddColumn("value");
            table.AddRow("nmech", typeof(NmechApp).Assembly.GetName().Version?.ToString(3) ?? "?");
            table.AddRow(".NET", Environment.Version.ToString());
            table.AddRow("TorchSharp", typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?");
            table.AddRow("libtorch", torch.__version__);
            table.AddRow("CPU threads", $"{torch.get_num_threads()} (of {Environment.ProcessorCount} logical CPUs)");
            bool cuda = Devices.CudaAvailable();
            table.AddRow("CUDA", cuda ? $"available: {torch.cuda.device_count()} device(s)" : "not available");
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }
}
