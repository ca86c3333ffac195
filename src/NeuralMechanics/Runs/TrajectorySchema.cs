namespace NeuralMechanics.Runs;

/// <summary>
/// File and column names of a run directory. One place, so the writer (training), the reader
/// (report) and users' notebooks agree. Every value column is a double; a prediction that does
/// not apply (e.g. the oscillator without momentum) is NaN.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>metrics/</c>: step, time, loss, accuracy, lr — one row per step (training batch).</item>
/// <item><c>eval/</c>: step, test_accuracy — one row every <c>--eval-every</c> steps (absent in older runs).</item>
/// <item><c>layers/</c>: step, time, layer, kind, groups, empirical, the prediction columns,
/// terms, forcing, angular_speed, angular_speed_theory — one row per (step, layer, kind), every step.</item>
/// <item><c>equilibrium/</c>: step, time, layer, lr, angular_update, angular_update_theory, norm,
/// equilibrium_norm — one row per (step, scale layer), every step.</item>
/// <item><c>neurons/</c>: step, time, layer, kind, unit, empirical, the prediction columns,
/// terms, forcing — one row per group every <c>--log-every</c> steps.</item>
/// <item><c>charges/</c>: step, time, layer (attention layer and head, e.g. blocks.0.attn.attention.h2), kind (qk | vo),
/// empirical (|C|_F), the prediction columns as ERRORS |C − prediction|_F, terms (|A|²_F + |B|²_F) — one row per
/// (step, head, charge), every step (models with attention only).</item>
/// <item><c>charge_matrices/</c>: step, time, layer, kind, row, col, empirical, discrete — the upper triangle of every
/// charge matrix and its discrete prediction, every <c>--log-every</c> steps.</item>
/// </list>
/// Each table is a FOLDER of Parquet part files <c>part-00000.parquet</c>, <c>part-00001.parquet</c>, ...
/// with one schema (the column lists below, in that order). A part is written whole under a
/// temporary name starting with "." and then renamed, so a killed run leaves only complete parts
/// (at most the rows since the last flush are missing) and the folder reads as-is:
/// <c>pd.read_parquet("run/metrics")</c>, <c>pl.read_parquet("run/metrics/*.parquet")</c>,
/// <c>duckdb "select * from 'run/metrics/*.parquet'"</c>. Rows are in step order across parts.
/// "terms" is the size the relative error is measured against: Σ_A|θ| (translation; floored at
/// |A| × the RMS of the owning layer's weight, since a bias feeding BatchNorm sits at 0 and only
/// rounding moves it), |θ_A|² (scale), |θ_A1|² + |θ_A2|² (rescale).
/// Relative error = |prediction − empirical| / terms.
/// Step n's row holds the state <em>before</em> update n (step 0 = initialisation);
/// time = Σ_{k&lt;n} ηₖ (η·n at a constant rate), × (1−α) with SGD momentum (the paper's convention).
/// </remarks>
public static class TrajectorySchema
{
    /// <summary><c>manifest.json</c>: the run's configuration and what was derived from it (<see cref="RunManifest"/>).</summary>
    public const string ManifestFile = "manifest.json";
    /// <summary>Folder of Parquet parts: one row per step.</summary>
    public const string MetricsFile = "metrics";
    /// <summary>Folder of Parquet parts: one row per (step, layer, kind).</summary>
    public const string LayersFile = "layers";
    /// <summary>Folder of Parquet parts: one row per group every <c>--log-every</c> steps.</summary>
    public const string NeuronsFile = "neurons";
    /// <summary>Folder of Parquet parts: one row per (step, scale layer): angular update and norm against their equilibrium values.</summary>
    public const string EquilibriumFile = "equilibrium";
    /// <summary>Folder of Parquet parts: a fixed sample of raw parameter values every <c>--log-every</c> steps (the paper's Fig. 1, left).</summary>
    public const string SamplesFile = "samples";
    /// <summary>Folder of Parquet parts: one row per (step, attention head, charge): |C|_F and each prediction's error norm.</summary>
    public const string ChargesFile = "charges";
    /// <summary>Folder of Parquet parts: the test accuracy every <c>--eval-every</c> steps.</summary>
    public const string EvalFile = "eval";
    /// <summary>Folder of Parquet parts: the charge matrices' entries every <c>--log-every</c> steps.</summary>
    public const string ChargeMatricesFile = "charge_matrices";
    /// <summary><c>status.json</c>: the run's state, running, finished, failed or diverged (<see cref="RunStatus"/>).</summary>
    public const string StatusFile = "status.json";
    /// <summary><c>checkpoint.bin</c>: model, optimizer buffers, tracker, data position and RNG, to resume a run.</summary>
    public const string CheckpointFile = "checkpoint.bin";
    /// <summary>The network's parameters and buffers under their PyTorch state_dict names (safetensors), written with every checkpoint.</summary>
    public const string WeightsFile = "weights.safetensors";
    /// <summary><c>laws.json</c>: what <c>nmech laws --at RUN</c> counted at the run's checkpoint (the --json object).</summary>
    public const string LawsFile = "laws.json";
    /// <summary>Folder of TensorBoard event files.</summary>
    public const string TensorBoardFolder = "tensorboard";

    /// <summary>Column: the step n (long; step 0 = initialisation).</summary>
    public const string Step = "step";            // long
    /// <summary>Column: the time t = Σ_{k&lt;n} ηₖ of the step (double).</summary>
    public const string Time = "time";            // double
    /// <summary>Column: the training loss of the step's batch (double).</summary>
    public const string Loss = "loss";            // double
    /// <summary>Column: the training accuracy of the step's batch (double).</summary>
    public const string Accuracy = "accuracy";    // double
    /// <summary>Column: ηₙ of the update made at this step, base rate × the schedule's factor (double).</summary>
    public const string LearningRate = "lr";      // double: ηₙ of the update made at this step (base rate × the schedule's factor)
    /// <summary>Column: the accuracy on the test set (double).</summary>
    public const string TestAccuracy = "test_accuracy";
    /// <summary>Column: the layer's module path, e.g. "features.0" (string).</summary>
    public const string Layer = "layer";          // string, e.g. "features.0"
    /// <summary>Column: the symmetry kind, translation | scale | rescale (string).</summary>
    public const string Kind = "kind";            // string: translation | scale | rescale
    /// <summary>Column: the number of groups summed in a layer row (int).</summary>
    public const string Groups = "groups";        // int: groups summed in a layer row
    /// <summary>Column: the group's index within its layer and kind (int).</summary>
    public const string Unit = "unit";            // int: group index within its layer and kind
    /// <summary>Column: the measured conserved quantity Q (double).</summary>
    public const string Empirical = "empirical";  // double: measured Q
    /// <summary>Column: the full parameter name, e.g. conv3.weight (string).</summary>
    public const string Parameter = "parameter";  // string: full parameter name, e.g. conv3.weight
    /// <summary>Column: the flat index into the parameter (long).</summary>
    public const string Index = "index";          // long: flat index into the parameter
    /// <summary>Column: the parameter's value (double).</summary>
    public const string Value = "value";          // double: the parameter's value

    /// <summary>Gradient flow: Q(t) = Q(0) (eq. 11–13).</summary>
    public const string GradientFlow = "gradient_flow";
    /// <summary>The paper's continuous solution: modified flow (eq. 18–20) or, with momentum, the damped oscillator (eq. 33–38).</summary>
    public const string Continuous = "continuous";
    /// <summary>Exact discrete recurrence (eq. 39–41; with momentum the docs/design.md extension).</summary>
    public const string Discrete = "discrete";

    /// <summary>Column: the size the relative error is measured against (double).</summary>
    public const string Terms = "terms";          // double: size the relative error is measured against
    /// <summary>Column: the forcing |g_A|² (or its difference); with momentum |v_A|² (double).</summary>
    public const string Forcing = "forcing";      // double: |g_A|² (or difference); with momentum |v_A|²
    /// <summary>Column: the angular speed |Δθ_A|/(η|θ_A|) of a scale group, else NaN (double).</summary>
    public const string AngularSpeed = "angular_speed";              // scale: |Δθ_A|/(η|θ_A|), else NaN
    /// <summary>Column: the predicted angular speed √(2λ/η) of a scale group, else NaN (double).</summary>
    public const string AngularSpeedTheory = "angular_speed_theory"; // scale: √(2λ/η), else NaN

    /// <summary>Column: the mean over groups of |Δθ_A|/|θ_A| of the update that led to the step (double).</summary>
    public const string AngularUpdate = "angular_update";                // scale: mean over groups of |Δθ_A|/|θ_A| of the update that led here
    /// <summary>Column: the equilibrium angular update, e.g. √(2ηλ) for SGD (double).</summary>
    public const string AngularUpdateTheory = "angular_update_theory";   // scale: equilibrium √(2ηλ), √(2ηλ(1−α)/(1+β)), √(2ηλ(1−β₁)/(1+β₁)) (AdamW)
    /// <summary>Column: the mean over groups of |θ_A| (double).</summary>
    public const string Norm = "norm";                                   // scale: mean over groups of |θ_A|
    /// <summary>Column: the mean over groups of the equilibrium |θ_A|* from the step's forcing (double).</summary>
    public const string EquilibriumNorm = "equilibrium_norm";            // scale: mean over groups of the equilibrium |θ_A|* from this step's forcing

    /// <summary>The prediction columns, in the order reports list them.</summary>
    public static readonly string[] Predictions = [GradientFlow, Continuous, Discrete];

    /// <summary>Columns of <see cref="MetricsFile"/>, in file order.</summary>
    public static readonly TrajectoryColumn[] MetricsColumns =
        [TrajectoryColumn.Long(Step), TrajectoryColumn.Double(Time), TrajectoryColumn.Double(Loss), TrajectoryColumn.Double(Accuracy), TrajectoryColumn.Double(LearningRate)];

    /// <summary>Columns of <see cref="EvalFile"/>, in file order.</summary>
    public static readonly TrajectoryColumn[] EvalColumns = [TrajectoryColumn.Long(Step), TrajectoryColumn.Double(TestAccuracy)];

    /// <summary>Columns of <see cref="LayersFile"/>, in file order.</summary>
    public static readonly TrajectoryColumn[] LayersColumns =
    [
        TrajectoryColumn.Long(Step), TrajectoryColumn.Double(Time), TrajectoryColumn.String(Layer), TrajectoryColumn.String(Kind),
        TrajectoryColumn.Int(Groups), TrajectoryColumn.Double(Empirical), TrajectoryColumn.Double(GradientFlow),
        TrajectoryColumn.Double(Continuous), TrajectoryColumn.Double(Discrete), TrajectoryColumn.Double(Terms),
        TrajectoryColumn.Double(Forcing), TrajectoryColumn.Double(AngularSpeed), TrajectoryColumn.Double(AngularSpeedTheory),
    ];

    /// <summary>Columns of <see cref="EquilibriumFile"/>, in file order (lr: η of the update that led to the step).</summary>
    public static readonly TrajectoryColumn[] EquilibriumColumns =
    [
        TrajectoryColumn.Long(Step), TrajectoryColumn.Double(Time), TrajectoryColumn.String(Layer), TrajectoryColumn.Double(LearningRate),
        TrajectoryColumn.Double(AngularUpdate), TrajectoryColumn.Double(AngularUpdateTheory), TrajectoryColumn.Double(Norm),
        TrajectoryColumn.Double(EquilibriumNorm),
    ];

    /// <summary>Columns of <see cref="SamplesFile"/>, in file order.</summary>
    public static readonly TrajectoryColumn[] SamplesColumns =
    [
        TrajectoryColumn.Long(Step), TrajectoryColumn.Double(Time), TrajectoryColumn.String(Layer),
        TrajectoryColumn.String(Parameter), TrajectoryColumn.Long(Index), TrajectoryColumn.Double(Value),
    ];

    /// <summary>Column: the charge matrix entry's row (int).</summary>
    public const string Row = "row";              // int: matrix row
    /// <summary>Column: the charge matrix entry's column (int).</summary>
    public const string Column = "col";           // int: matrix column

    /// <summary>Columns of <see cref="ChargesFile"/>, in file order (the prediction columns hold error norms).</summary>
    public static readonly TrajectoryColumn[] ChargesColumns =
    [
        TrajectoryColumn.Long(Step), TrajectoryColumn.Double(Time), TrajectoryColumn.String(Layer), TrajectoryColumn.String(Kind),
        TrajectoryColumn.Double(Empirical), TrajectoryColumn.Double(GradientFlow), TrajectoryColumn.Double(Continuous),
        TrajectoryColumn.Double(Discrete), TrajectoryColumn.Double(Terms),
    ];

    /// <summary>Columns of <see cref="ChargeMatricesFile"/>, in file order.</summary>
    public static readonly TrajectoryColumn[] ChargeMatricesColumns =
    [
        TrajectoryColumn.Long(Step), TrajectoryColumn.Double(Time), TrajectoryColumn.String(Layer), TrajectoryColumn.String(Kind),
        TrajectoryColumn.Int(Row), TrajectoryColumn.Int(Column), TrajectoryColumn.Double(Empirical), TrajectoryColumn.Double(Discrete),
    ];

    /// <summary>Columns of <see cref="NeuronsFile"/>, in file order.</summary>
    public static readonly TrajectoryColumn[] NeuronsColumns =
    [
        TrajectoryColumn.Long(Step), TrajectoryColumn.Double(Time), TrajectoryColumn.String(Layer), TrajectoryColumn.String(Kind),
        TrajectoryColumn.Int(Unit), TrajectoryColumn.Double(Empirical), TrajectoryColumn.Double(GradientFlow),
        TrajectoryColumn.Double(Continuous), TrajectoryColumn.Double(Discrete), TrajectoryColumn.Double(Terms),
        TrajectoryColumn.Double(Forcing),
    ];
}
