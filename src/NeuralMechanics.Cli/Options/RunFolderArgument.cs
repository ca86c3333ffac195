using System.CommandLine;

namespace NeuralMechanics.Cli.Options;

/// <summary>The RUN_DIR... argument of the commands that read finished or running runs (report, status).</summary>
internal static class RunFolderArgument
{
    public static Argument<string[]> Create() => new("RUN_DIR")
    {
        Description = "Run folders (holding manifest.json), or sweep folders whose subfolders are runs",
        Arity = ArgumentArity.OneOrMore,
    };
}
