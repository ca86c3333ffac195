using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace NeuralMechanics.Data;

/// <summary>
/// Builds items <c>start, start+1, ...</c> on a background thread into a bounded queue, so the
/// consumer finds the next one ready. An exception while building is rethrown by <see cref="Take"/>.
/// </summary>
internal sealed class Prefetcher<T> : IDisposable where T : IDisposable
{
    private readonly BlockingCollection<T> queue;
    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;
    private ExceptionDispatchInfo? failure;

    public Prefetcher(Func<long, T> build, long start, int capacity)
    {
        queue = new BlockingCollection<T>(capacity);
        thread = new Thread(() => Produce(build, start)) { IsBackground = true, Name = "batch prefetch" };
        thread.Start();
    }

    /// <summary>The next item, waiting for it if needed.</summary>
    public T Take()
    {
        if (!queue.TryTake(out var item, Timeout.Infinite)) failure!.Throw();
        return item;
    }

    private void Produce(Func<long, T> build, long start)
    {
        try
        {
            for (long position = start; !stop.IsCancellationRequested; position++)
            {
                var item = build(position);
                try
                {
                    queue.Add(item, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    item.Dispose();
                }
            }
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
            queue.CompleteAdding();
        }
    }

    /// <summary>Stops the thread, waits for it, and disposes the items nobody took.</summary>
    public void Dispose()
    {
        stop.Cancel();
        thread.Join();
        while (queue.TryTake(out var item)) item.Dispose();
        queue.Dispose();
        stop.Dispose();
    }
}
