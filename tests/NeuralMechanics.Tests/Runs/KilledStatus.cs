using NeuralMechanics.Runs;

namespace NeuralMechanics.Tests.Runs;

/// <summary>What a killed run leaves in status.json: "running", naming a process that is gone.</summary>
internal static class KilledStatus
{
    /// <summary>A process that was started and has been killed, as a status would name it.</summary>
    public static RunProcess GoneProcess()
    {
        using var p = System.Diagnostics.Process.Start("sleep", "30")!;
        var started = new DateTimeOffset(p.StartTime.ToUniversalTime(), TimeSpan.Zero);
        p.Kill();
        p.WaitForExit();
        return new RunProcess(p.Id, Environment.MachineName, started);
    }

    /// <summary>A running status whose process is gone.</summary>
    public static RunStatus Running() => RunStatus.Running() with { Process = GoneProcess() };
}
