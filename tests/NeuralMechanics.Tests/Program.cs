namespace NeuralMechanics.Tests;

/// <summary>
/// The test assembly's own entry point (the test SDK's generated one does nothing): it runs the
/// child-process harnesses that tests start, such as <see cref="Native.GcStress"/>.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is [Native.GcStress.Command, var workload, var steps, var dir])
            return Native.GcStress.Run(workload, long.Parse(steps, System.Globalization.CultureInfo.InvariantCulture), dir);
        Console.Error.WriteLine($"usage: NeuralMechanics.Tests {Native.GcStress.Command} WORKLOAD STEPS DIR");
        return 2;
    }
}
