#!/usr/bin/env python3
"""Plain PyTorch's training step on the workloads of nmech's benchmark (bench/NeuralMechanics.Bench).

The same models (nmech's zoo: the MLP, the width-scaled VGGs with their classifier and dropout,
ResNet-18 as torchvision builds it with nmech's CIFAR stem and width, and the ViT),
batch, loss and optimizer (torch.optim.SGD with momentum and weight decay), and the same step as
nmech's untracked step: forward, cross-entropy, zero_grad, backward, the batch accuracy, loss and
accuracy read to the host, optimizer step. Two random batches on the device, used in turn.
Runs on PyTorch 1.13 (Debian's python3-torch) and 2.x, on the CPU or CUDA.

  python3 bench/pytorch_step.py --device cpu --threads 2 --workloads mlp,vgg11q [--windows 5 --window-seconds 0.5]
  python3 bench/pytorch_step.py --device cpu --threads 2 --serve     (windows on request: stdin "KEY STEPS";
                                                                      "params KEY" answers {"params": parameter count})
  python3 bench/pytorch_step.py --export-onnx KEY PATH                (the workload's model in training mode as ONNX)

prints one JSON object: {"torch", "device", "threads", "blas", "workloads": [{"label", "ms", "windows_ms"}]}
("blas": the BLAS and MKL libraries the process has loaded, e.g. Debian's reference BLAS or OpenBLAS).
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn

M = "M"
VGG = {
    11: [64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M],
    16: [64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M],
}


def vgg(depth, batch_norm, shape, classes, width, dropout=0.5):
    layers, (c, h, w) = [], shape
    for e in VGG[depth]:
        if e == M:
            if h // 2 == 0 or w // 2 == 0:
                continue
            layers.append(nn.MaxPool2d(2, 2))
            h, w = h // 2, w // 2
            continue
        out = max(1, int(round(e * width)))
        conv = nn.Conv2d(c, out, 3, padding=1)
        nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
        nn.init.zeros_(conv.bias)
        layers += [conv] + ([nn.BatchNorm2d(out)] if batch_norm else []) + [nn.ReLU()]
        c = out
    d = c * h * w
    hidden = max(1, d // 2)
    layers += [nn.Flatten(), nn.Linear(d, hidden), nn.ReLU(), nn.Dropout(dropout),
               nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, classes)]
    return nn.Sequential(*layers)


def mlp(shape, classes, depth=2, hidden=256):
    layers, features = [nn.Flatten()], shape[0] * shape[1] * shape[2]
    for _ in range(depth):
        layers += [nn.Linear(features, hidden), nn.ReLU()]
        features = hidden
    layers.append(nn.Linear(features, classes))
    return nn.Sequential(*layers)


def resnet18(shape, classes, width):
    """torchvision's ResNet-18 (its BasicBlock and _make_layer) with nmech's zoo changes: the CIFAR stem
    (3×3 convolution, stride 1, no max-pool) and every stage's channels scaled by `width`."""
    from torchvision.models.resnet import BasicBlock, ResNet
    net = ResNet(BasicBlock, [2, 2, 2, 2], num_classes=classes)
    channels = [max(1, int(round(64 * 2 ** s * width))) for s in range(4)]
    net.inplanes = channels[0]
    net.conv1 = nn.Conv2d(shape[0], channels[0], 3, padding=1, bias=False)
    net.bn1 = nn.BatchNorm2d(channels[0])
    net.maxpool = nn.Identity()
    net.layer1 = net._make_layer(BasicBlock, channels[0], 2)
    net.layer2 = net._make_layer(BasicBlock, channels[1], 2, stride=2)
    net.layer3 = net._make_layer(BasicBlock, channels[2], 2, stride=2)
    net.layer4 = net._make_layer(BasicBlock, channels[3], 2, stride=2)
    net.fc = nn.Linear(channels[3], classes)
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
    return net


class Attention(nn.Module):
    """nmech's MultiHeadAttention: separate q, k, v, o projections, softmax(q kᵀ / √d_h) v per head."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim) for _ in range(4))

    def forward(self, x):
        b, t, d = x.shape
        split = lambda z: z.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        logits = split(self.q(x)) @ split(self.k(x)).transpose(2, 3) / (d // self.heads) ** 0.5
        return self.o((logits.softmax(-1) @ split(self.v(x))).transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.ln1, self.attn, self.ln2 = nn.LayerNorm(dim), Attention(dim, heads), nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class Vit(nn.Module):
    """nmech's VisionTransformer at its defaults: 7×7 patches, 64 features, 4 blocks of 4 heads, MLP 128 (GELU), mean over tokens."""

    def __init__(self, shape, classes, patch=7, dim=64, depth=4, heads=4, hidden=128):
        super().__init__()
        tokens = (shape[1] // patch) * (shape[2] // patch)
        self.patch = nn.Conv2d(shape[0], dim, patch, stride=patch)
        self.pos = nn.Parameter(torch.randn(tokens, dim) * 0.02)
        self.blocks = nn.Sequential(*(Block(dim, heads, hidden) for _ in range(depth)))
        self.norm, self.head = nn.LayerNorm(dim), nn.Linear(dim, classes)

    def forward(self, x):
        h = self.blocks(self.patch(x).flatten(2).transpose(1, 2) + self.pos)
        return self.head(self.norm(h).mean(1))


# label, model factory, input shape, classes, batch, (lr, weight decay, momentum): as bench/NeuralMechanics.Bench/Workload.cs
WORKLOADS = {
    "mlp": ("mlp 2×256", lambda: mlp((1, 28, 28), 10), (1, 28, 28), 10, 128, (0.01, 5e-4, 0.9)),
    "vgg11q": ("vgg11 ×1/4", lambda: vgg(11, False, (3, 32, 32), 10, 0.25), (3, 32, 32), 10, 128, (0.01, 5e-4, 0.9)),
    "resnet18q": ("resnet18 ×1/4", lambda: resnet18((3, 32, 32), 10, 0.25), (3, 32, 32), 10, 64, (0.01, 5e-4, 0.9)),
    # The same, its weights and inputs in channels-last (NHWC) memory: oneDNN's faster layout on the CPU.
    "resnet18q-cl": ("resnet18 ×1/4, channels-last", lambda: resnet18((3, 32, 32), 10, 0.25), (3, 32, 32), 10, 64, (0.01, 5e-4, 0.9)),
    "vit": ("vit", lambda: Vit((1, 28, 28), 10), (1, 28, 28), 10, 64, (0.01, 5e-4, 0.9)),
    "vgg16": ("vgg16", lambda: vgg(16, False, (3, 64, 64), 200, 1.0), (3, 64, 64), 200, 256, (0.01, 1e-4, 0.0)),
    "vgg16bn": ("vgg16-bn", lambda: vgg(16, True, (3, 64, 64), 200, 1.0), (3, 64, 64), 200, 256, (0.01, 1e-4, 0.0)),
}


def trainer(key, device):
    """A function running n training steps of workload `key` (seeded model, two random batches), warmed up."""
    label, make, shape, classes, batch, (lr, wd, momentum) = WORKLOADS[key]
    torch.manual_seed(1)
    channels_last = key.endswith("-cl")
    layout = torch.channels_last if channels_last else torch.contiguous_format
    model = make().to(device, memory_format=layout).train()
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=wd)
    loss_fn = nn.CrossEntropyLoss()
    batches = [(torch.randn(batch, *shape, device=device).contiguous(memory_format=layout), torch.randint(classes, (batch,), device=device))
               for _ in range(2)]
    cuda = device.type == "cuda"

    def run(steps, at=[0]):
        for _ in range(steps):
            x, y = batches[at[0] % 2]
            at[0] += 1
            out = model(x)
            loss = loss_fn(out, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            accuracy = out.argmax(1).eq(y).double().mean()
            loss.item(), accuracy.item()
            opt.step()
        if cuda:
            torch.cuda.synchronize()

    run(10)
    return label, run


def serve(device):
    """Windows on request, so that a caller can interleave them with its own: per stdin line
    "KEY STEPS" runs that many steps of workload KEY and prints {"ms": mean step time};
    "params KEY" prints {"params": the model's parameter count}."""
    runs = {}
    for line in sys.stdin:
        parts = line.split()
        if len(parts) == 2 and parts[0] == "params" and parts[1] in WORKLOADS:
            print(json.dumps({"params": parameters(parts[1])}), flush=True)
            continue
        if len(parts) != 2 or parts[0] not in WORKLOADS:
            print(json.dumps({"error": f"expected 'KEY STEPS' with KEY one of {','.join(WORKLOADS)}, found {line.strip()!r}"}), flush=True)
            continue
        key, steps = parts[0], int(parts[1])
        if key not in runs:
            runs[key] = trainer(key, device)[1]
        start = time.perf_counter()
        runs[key](steps)
        print(json.dumps({"ms": (time.perf_counter() - start) * 1000 / steps}), flush=True)


def parameters(key):
    """The number of trainable parameters of workload `key`'s model."""
    return sum(p.numel() for p in WORKLOADS[key][1]().parameters() if p.requires_grad)


def export_onnx(key, path):
    """Writes workload `key`'s model (seeded as the timed one) in training mode as ONNX, as the importer
    reads it (tests/NeuralMechanics.Tests/Fixtures/Onnx/make_fixtures.py): constant folding off,
    opset 17 as the fixtures, the batch dimension dynamic."""
    label, make, shape, classes, batch, _ = WORKLOADS[key]
    torch.manual_seed(1)
    model = make().train()
    torch.onnx.export(model, torch.randn(2, *shape), path, training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False,
                      opset_version=17, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})


def measure(key, device, windows, window_seconds):
    label, run = trainer(key, device)
    start = time.perf_counter()
    run(5)
    step = (time.perf_counter() - start) / 5
    steps = max(5, int(round(window_seconds / step)))
    times = []
    for _ in range(windows):
        start = time.perf_counter()
        run(steps)
        times.append((time.perf_counter() - start) * 1000 / steps)
    return {"label": label, "ms": statistics.median(times), "windows_ms": times, "window_steps": steps}


def loaded_blas():
    """Paths of the BLAS/MKL shared libraries mapped into this process (Linux), else []."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/" in line}
    except OSError:
        return []
    return sorted(p for p in paths if any(k in p.rsplit("/", 1)[-1].lower() for k in ("blas", "mkl")))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: PyTorch's default)")
    p.add_argument("--workloads", default="mlp,vgg11q", help="comma-separated: " + ",".join(WORKLOADS))
    p.add_argument("--windows", type=int, default=5)
    p.add_argument("--window-seconds", type=float, default=0.5)
    p.add_argument("--serve", action="store_true", help="print the header line, then time windows asked for on stdin ('KEY STEPS')")
    p.add_argument("--export-onnx", nargs=2, metavar=("KEY", "PATH"), help="write workload KEY's model as ONNX (training mode) to PATH and exit")
    a = p.parse_args()
    if a.export_onnx:
        if a.export_onnx[0] not in WORKLOADS:
            p.error(f"--export-onnx: unknown workload {a.export_onnx[0]}; expected one of {','.join(WORKLOADS)}")
        export_onnx(*a.export_onnx)
        return
    keys = [k for k in a.workloads.split(",") if k]
    unknown = [k for k in keys if k not in WORKLOADS]
    if unknown:
        p.error(f"--workloads: unknown {','.join(unknown)}; expected some of {','.join(WORKLOADS)}")
    if a.device == "cuda" and not torch.cuda.is_available():
        p.error("--device cuda: this PyTorch has no CUDA device")
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    if a.serve:
        print(json.dumps({"torch": torch.__version__, "device": a.device, "threads": torch.get_num_threads(), "blas": loaded_blas()}), flush=True)
        serve(device)
        return
    result = {"torch": torch.__version__, "device": a.device, "threads": torch.get_num_threads(),
              "workloads": [measure(k, device, a.windows, a.window_seconds) for k in keys]}
    result["blas"] = loaded_blas()
    json.dump(result, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
