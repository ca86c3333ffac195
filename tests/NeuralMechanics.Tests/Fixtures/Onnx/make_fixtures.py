"""Regenerates the ONNX import fixtures (run with Debian's /usr/bin/python3: torch 1.13, onnx 1.12).

For each model NAME it writes
  NAME.onnx   the export in training mode (constant folding off, the batch dimension dynamic), the file the importer reads;
  NAME.json   the fixed labels, the mode the reference ran in, and the tensors in NAME.bin:
              input, output, grad:<state_dict name> for every parameter and
              after:<buffer name> for every BatchNorm running statistic after that forward;
  NAME.bin    those tensors as little-endian float32, one after another.
The loss is cross-entropy (mean) of the output against the labels. The reference runs on the
weights read back from the .onnx initializers, so the exporter's own trace (which moves BatchNorm's
running statistics) cannot make the fixture disagree with the file.
Also: cnn_eval.onnx, the CNN exported in eval mode with constant folding (BatchNorm folded into the
convolutions), which the importer refuses; transformer_opset13.onnx, the transformer at opset 13
(LayerNormalization decomposed into ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add).
"""
import json
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 16)
        self.drop = nn.Dropout(0.5)
        self.fc2 = nn.Linear(16, 8)
        self.fc3 = nn.Linear(8, 5)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = self.drop(F.relu(self.fc1(x)))
        x = torch.tanh(self.fc2(x))
        return self.fc3(x)


class Cnn(nn.Module):
    """Stem conv-BN-ReLU-maxpool, one residual block, global average pool, Linear head."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(6)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(6, 6, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(6)
        self.conv3 = nn.Conv2d(6, 6, 3, padding=1, bias=True)
        self.bn3 = nn.BatchNorm2d(6)
        self.avg = nn.AvgPool2d(2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        y = F.relu(self.bn2(self.conv2(x)))
        y = self.bn3(self.conv3(y))
        x = F.leaky_relu(x + y, 0.1)
        x = self.gap(self.avg(x))
        return self.fc(torch.flatten(x, 1))


class MobileBlock(nn.Module):
    """MobileNetV2's inverted residual: expand 1x1, depthwise 3x3, both with ReLU6, project 1x1, residual."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(4)
        self.expand = nn.Conv2d(4, 8, 1, bias=False)
        self.expand_bn = nn.BatchNorm2d(8)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)
        self.dw_bn = nn.BatchNorm2d(8)
        self.project = nn.Conv2d(8, 4, 1, bias=False)
        self.project_bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        x = F.relu6(self.stem_bn(self.stem(x)))
        y = F.relu6(self.expand_bn(self.expand(x)))
        y = F.relu6(self.dw_bn(self.dw(y)))
        x = x + self.project_bn(self.project(y))
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


class ResBlock(nn.Module):
    """ResNet's basic block with a strided 1x1 projection shortcut (4 -> 8 channels, stride 2), between a stem and a classifier."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(4)
        self.conv1 = nn.Conv2d(4, 8, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.shortcut = nn.Conv2d(4, 8, 1, stride=2, bias=False)
        self.shortcut_bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        x = F.relu(self.stem_bn(self.stem(x)))
        y = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(y)) + self.shortcut_bn(self.shortcut(x)))
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


class Fire(nn.Module):
    """SqueezeNet's fire module (squeeze 1x1, expand 1x1 and 3x3, concatenated) between a stem and a classifier conv."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3)
        self.squeeze = nn.Conv2d(8, 4, 1)
        self.expand1x1 = nn.Conv2d(4, 6, 1)
        self.expand3x3 = nn.Conv2d(4, 6, 3, padding=1)
        self.classifier = nn.Conv2d(12, 5, 1)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.stem(x)), 2, ceil_mode=True)
        s = F.relu(self.squeeze(x))
        x = torch.cat([F.relu(self.expand1x1(s)), F.relu(self.expand3x3(s))], 1)
        x = F.relu(self.classifier(x))
        return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)


class Transformer(nn.Module):
    """Two pre-LN nn.TransformerEncoderLayer (ReLU MLP, no dropout), a final LayerNorm, a Linear head on the flattened tokens."""

    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(8)
        self.head = nn.Linear(4 * 8, 3)

    def forward(self, x):
        return self.head(torch.flatten(self.norm(self.encoder(x)), 1))


class SeqFirstTransformer(nn.Module):
    """One pre-LN nn.TransformerEncoderLayer with batch_first=False behind a transpose: an attention variant the importer does not match."""

    def __init__(self):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=False, norm_first=True)
        self.head = nn.Linear(4 * 8, 3)

    def forward(self, x):
        return self.head(torch.flatten(self.layer(x.transpose(0, 1)).transpose(0, 1), 1))


def export(model, x, path, training, opset):
    mode = torch.onnx.TrainingMode.TRAINING if training else torch.onnx.TrainingMode.EVAL
    model.train(training)
    # dynamic_axes keeps the batch size a variable: without it PyTorch 1.13 traces the attention's reshapes
    # with the export batch size as constants, and the file runs only at that batch size.
    torch.onnx.export(model, x, path, training=mode, do_constant_folding=not training,
                      opset_version=opset, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})


def load_initializers(model, path):
    """Sets the model's state to the file's initializers (the exporter keeps the state_dict names)."""
    inits = {i.name: torch.from_numpy(onnx.numpy_helper.to_array(i).copy()) for i in onnx.load(path).graph.initializer}
    state = model.state_dict()
    with torch.no_grad():
        for name, value in state.items():
            if name in inits:
                value.copy_(inits[name])
            elif not name.endswith("num_batches_tracked"):
                sys.exit(f"{path}: no initializer {name}")


def write(name, model, x, labels, opset=17, train_reference=True):
    path = os.path.join(HERE, name + ".onnx")
    export(model, x, path, True, opset)
    load_initializers(model, path)
    model.train(train_reference)
    model.zero_grad()
    out = model(x)
    loss = F.cross_entropy(out, labels)
    loss.backward()
    tensors = [("input", x), ("output", out.detach())]
    tensors += [("grad:" + n, p.grad) for n, p in model.named_parameters()]
    tensors += [("after:" + n, b) for n, b in model.named_buffers() if "running" in n]
    meta = {"mode": "train" if train_reference else "eval", "opset": opset, "labels": labels.tolist(),
            "loss": loss.item(), "tensors": []}
    with open(os.path.join(HERE, name + ".bin"), "wb") as f:
        for n, t in tensors:
            meta["tensors"].append({"name": n, "shape": list(t.shape)})
            f.write(t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes())
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


def ops(path):
    return sorted({n.op_type for n in onnx.load(path).graph.node})


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    # The MLP's reference runs in eval mode: dropout is the identity there, so gradients are deterministic.
    write("mlp", Mlp(), torch.randn(6, 3, 2, 2, generator=g), torch.tensor([0, 1, 2, 3, 4, 0]), train_reference=False)
    write("cnn", Cnn(), torch.randn(4, 3, 8, 8, generator=g), torch.tensor([0, 1, 2, 3]))
    write("mobile", MobileBlock(), torch.randn(4, 3, 6, 6, generator=g), torch.tensor([0, 1, 2, 0]))
    write("fire", Fire(), torch.randn(3, 3, 9, 9, generator=g), torch.tensor([0, 4, 2]))
    write("transformer", Transformer(), torch.randn(3, 4, 8, generator=g), torch.tensor([0, 1, 2]))
    write("transformer_opset13", Transformer(), torch.randn(3, 4, 8, generator=g), torch.tensor([2, 1, 0]), opset=13)
    cnn = Cnn()
    export(cnn, torch.randn(4, 3, 8, 8, generator=g), os.path.join(HERE, "cnn_eval.onnx"), False, 17)
    write("transformer_seq_first", SeqFirstTransformer(), torch.randn(3, 4, 8, generator=g), torch.tensor([1, 0, 2]))
    write("resblock", ResBlock(), torch.randn(4, 3, 9, 9, generator=g), torch.tensor([0, 1, 2, 0]))
    for name in ["mlp", "cnn", "mobile", "fire", "transformer", "transformer_opset13", "cnn_eval", "transformer_seq_first", "resblock"]:
        print(name, " ".join(ops(os.path.join(HERE, name + ".onnx"))))


if __name__ == "__main__":
    main()
