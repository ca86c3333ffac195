namespace NeuralMechanics.Cli;

/// <summary>Reports progress synchronously on the reporting thread (System.Progress would post to the thread pool).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
