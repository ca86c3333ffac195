namespace NeuralMechanics.Training.Schedules;

/// <summary>
/// The learning rate ηₙ of every update and the continuous time tₙ = c·Σ_{k&lt;n} ηₖ of every step
/// (c = <see cref="Theory.OptimizerTheory.TimeScale"/>: 1 − α with SGD momentum, the paper's convention, else 1). Under a constant schedule
/// tₙ = n·c·η exactly as before schedules existed; otherwise the sum is accumulated left to right
/// with compensation, always from step 0, so an interrupted and resumed run gets the same bits.
/// </summary>
public sealed class ScheduleClock
{
    private readonly LrSchedule schedule;
    private readonly double timeScale;
    private long cachedStep;
    private double cachedTime, cachedLow;

    /// <summary>The clock of <paramref name="settings"/> (base rate, schedule and the time convention of its optimizer).</summary>
    public ScheduleClock(OptimizerSettings settings)
    {
        schedule = settings.Schedule;
        BaseLearningRate = settings.LearningRate;
        timeScale = settings.Theory.TimeScale;
    }

    /// <summary>η of the schedule's factor 1.</summary>
    public double BaseLearningRate { get; }

    /// <summary>Whether ηₙ = η for every n.</summary>
    public bool IsConstant => schedule.IsConstant;

    /// <summary>ηₙ, the learning rate of update <paramref name="n"/> (base rate × the schedule's factor).</summary>
    public double LearningRate(long n) => IsConstant ? BaseLearningRate : BaseLearningRate * schedule.Factor(n);

    /// <summary>c of tₙ = c·Σηₖ: 1 − α with SGD momentum, else 1.</summary>
    internal double TimeScale => timeScale;

    /// <summary>tₙ, the continuous time of step <paramref name="n"/> (the state before update n).</summary>
    public double Time(long n)
    {
        if (IsConstant) return n * (timeScale == 1 ? BaseLearningRate : BaseLearningRate * timeScale);
        if (n < cachedStep) (cachedStep, cachedTime, cachedLow) = (0, 0, 0);
        for (; cachedStep < n; cachedStep++)
        {
            // Kahan–Babuška step: the time grows by many small increments.
            double delta = LearningRate(cachedStep) * timeScale;
            double sum = cachedTime + delta;
            cachedLow += Math.Abs(cachedTime) >= Math.Abs(delta) ? (cachedTime - sum) + delta : (delta - sum) + cachedTime;
            cachedTime = sum;
        }
        return cachedTime + cachedLow;
    }
}
