using Google.Protobuf;
using NeuralMechanics.Models.Onnx;
using Onnx;

namespace NeuralMechanics.Tests.Models.Onnx;

/// <summary>What the importer refuses, and that it says why in one line naming the file.</summary>
public sealed class OnnxRefusalTests
{
    [Fact]
    public void AnOperatorOutsideTheSetIsOneLineNamingTheNodeItsOpTypeAndTheFile()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(OnnxFixture.Folder, "mlp.onnx")));
        var tanh = model.Graph.Node.Single(n => n.OpType == "Tanh");
        tanh.OpType = "Selu";
        var path = Path.Combine(Path.GetTempPath(), $"nmech-selu-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, model.ToByteArray());
            var e = Assert.Throws<InvalidInputException>(() => OnnxNetwork.Load(path));
            Assert.DoesNotContain('\n', e.Message);
            Assert.StartsWith($"{path}: node {tanh.Name}: op type 'Selu' is not supported", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AnEvalModeExportWithBatchNormFoldedIntoTheConvolutionsIsRefusedWithHowToExportInTrainingMode()
    {
        // cnn_eval.onnx: the fixture CNN exported in eval mode with constant folding; its three BatchNorms
        // are gone and the first Conv reads the exporter's folded constant onnx::Conv_40 instead of conv1.weight.
        var path = Path.Combine(OnnxFixture.Folder, "cnn_eval.onnx");
        var e = Assert.Throws<InvalidInputException>(() => OnnxNetwork.Load(path));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith($"{path}: node /conv1/Conv (Conv): expected a weight named as in the state_dict, found the exporter's folded constant 'onnx::Conv_40'", e.Message);
        Assert.Contains("training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False", e.Message);
    }

    [Fact]
    public void ABatchNormalizationInInferenceModeIsRefusedAsAnEvalExport()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(OnnxFixture.Folder, "cnn.onnx")));
        var bn = model.Graph.Node.First(n => n.OpType == "BatchNormalization");
        bn.Attribute.Single(a => a.Name == "training_mode").I = 0;
        var path = Path.Combine(Path.GetTempPath(), $"nmech-evalbn-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, model.ToByteArray());
            var e = Assert.Throws<InvalidInputException>(() => OnnxNetwork.Load(path));
            Assert.StartsWith($"{path}: node /bn1/BatchNormalization (BatchNormalization): expected training_mode = 1", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AFileThatIsNotOnnxIsRefusedNamingTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nmech-notonnx-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllText(path, "this is not a protobuf message \u0001\u0002");
            var e = Assert.Throws<InvalidInputException>(() => OnnxNetwork.Load(path));
            Assert.StartsWith($"{path}: ", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
