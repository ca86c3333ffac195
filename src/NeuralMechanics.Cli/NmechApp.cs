using System.CommandLine;
using NeuralMechanics.Cli.Commands;

namespace NeuralMechanics.Cli;

/// <summary>The <c>nmech</c> command tree and its error handling.</summary>
internal static class NmechApp
{
    /// <summary>Exit code for bad usage or bad input.</summary>
    public const int UsageError = 2;

    /// <summary>Builds the command tree; each command lives in its own file under Commands/.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("nmech: symmetry, conservation laws and their breaking in neural-network training (Kunin et al., ICLR 2021)");
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(SymmetriesCommand.Create());
        root.Subcommands.Add(LawsCommand.Create());
        root.Subcommands.Add(ReproduceCommand.Create());
        root.Subcommands.Add(ToyCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        return root;
    }

    /// <summary>Parses and runs; parse errors and <see cref="InvalidInputException"/> give one line and exit 2.</summary>
    public static int Run(string[] args)
    {
        NativeEnvironment.Apply();
        ConsoleOutput.Configure();
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine($"nmech: {string.Join("; ", parse.Errors.Select(e => e.Message))} (see nmech --help)");
            return UsageError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (InvalidInputException e)
        {
            Console.Error.WriteLine($"nmech: {e.Message}");
            return UsageError;
        }
    }
}
