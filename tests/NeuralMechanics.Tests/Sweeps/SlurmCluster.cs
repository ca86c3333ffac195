using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NeuralMechanics.Tests.Sweeps;

/// <summary>A fact that runs only where Slurm (slurmctld, slurmd, sbatch) and MUNGE are installed; skipped elsewhere.</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (SlurmCluster.Missing() is { } missing) Skip = $"Slurm is not installed ({missing} not found)";
    }
}

/// <summary>
/// A private one-node Slurm cluster in a temporary folder: its own MUNGE key and daemon, its own
/// configuration and ports, so it touches nothing of a system installation. Disposing shuts it down.
/// </summary>
internal sealed class SlurmCluster : IDisposable
{
    private static readonly string[] Tools = ["munged", "mungekey", "slurmctld", "slurmd", "sbatch", "sinfo", "squeue"];
    private readonly string dir;

    /// <summary>The first tool that is not installed, or null.</summary>
    public static string? Missing() => Tools.FirstOrDefault(t => Find(t) is null);

    private static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/usr/bin", "/sbin"])
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    /// <summary>The configuration file (SLURM_CONF for clients).</summary>
    public string Conf => Path.Combine(dir, "slurm.conf");

    public SlurmCluster(string dir)
    {
        this.dir = dir;
        Directory.CreateDirectory(Path.Combine(dir, "state"));
        Directory.CreateDirectory(Path.Combine(dir, "spool"));
        var key = Path.Combine(dir, "munge.key");
        var socket = Path.Combine(dir, "munge.sock");
        Check(Run("mungekey", "--create", $"--keyfile={key}"));
        Check(Run("munged", $"--socket={socket}", $"--key-file={key}", $"--pid-file={Pid("munged")}", $"--log-file={Path.Combine(dir, "munged.log")}",
            $"--seed-file={Path.Combine(dir, "munge.seed")}", "--force"));
        var host = Run("hostname", "-s").Output.Trim();
        var user = Environment.UserName;
        File.WriteAllText(Conf, $"""
            ClusterName=nmechtest
            SlurmctldHost={host}(127.0.0.1)
            SlurmctldPort={FreePort()}
            SlurmdPort={FreePort()}
            AuthType=auth/munge
            AuthInfo=socket={socket}
            CredType=cred/munge
            SlurmUser={user}
            SlurmdUser={user}
            StateSaveLocation={dir}/state
            SlurmdSpoolDir={dir}/spool
            SlurmctldPidFile={Pid("slurmctld")}
            SlurmdPidFile={Pid("slurmd")}
            SlurmctldLogFile={dir}/slurmctld.log
            SlurmdLogFile={dir}/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            MpiDefault=none
            ReturnToService=2
            SchedulerType=sched/builtin
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            AccountingStorageType=accounting_storage/none
            JobAcctGatherType=jobacct_gather/none
            JobCompType=jobcomp/none
            NodeName={host} NodeAddr=127.0.0.1 CPUs={Environment.ProcessorCount} State=UNKNOWN
            PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP

            """);
        Check(Run("slurmctld", "-f", Conf, "-i"));
        Check(Run("slurmd", "-f", Conf));
        var ready = Stopwatch.StartNew();
        while (Run("sinfo", "-h", "-o", "%T").Output.Trim() != "idle")
        {
            if (ready.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"the Slurm node did not become idle:\n{Log()}");
            Thread.Sleep(200);
        }
    }

    /// <summary>Runs a tool with SLURM_CONF set; returns its exit code and output.</summary>
    public (int ExitCode, string Output) Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(Find(tool) ?? tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["SLURM_CONF"] = Conf;
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            throw new TimeoutException($"{tool} did not finish within two minutes:\n{Log()}");
        }
        return (process.ExitCode, output.Result + error);
    }

    /// <summary>The daemons' logs.</summary>
    public string Log() => string.Join("\n", Directory.GetFiles(dir, "*.log").Select(f => $"== {f}\n{File.ReadAllText(f)}"));

    private string Pid(string daemon) => Path.Combine(dir, daemon + ".pid");

    private void Check((int ExitCode, string Output) result)
    {
        if (result.ExitCode != 0) throw new InvalidOperationException($"{result.Output}\n{Log()}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        // The daemons detach from this process; stop each by the id it wrote.
        foreach (var daemon in new[] { "slurmd", "slurmctld", "munged" })
        {
            if (!File.Exists(Pid(daemon)) || !int.TryParse(File.ReadAllText(Pid(daemon)).Trim(), out var pid)) continue;
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }
}
