#!/usr/bin/env python3
"""Plain PyTorch's training step on the workloads of nmech's benchmark (bench/NeuralMechanics.Bench).

The same models (nmech's zoo: the MLP and the width-scaled VGGs with their classifier and dropout),
batch, loss and optimizer (torch.optim.SGD with momentum and weight decay), and the same step as
nmech's untracked step: forward, cross-entropy, zero_grad, backward, the batch accuracy, loss and
accuracy read to the host, optimizer step. Two random batches on the device, used in turn.
Runs on PyTorch 1.13 (Debian's python3-torch) and 2.x, on the CPU or CUDA.

  python3 bench/pytorch_step.py --device cpu --threads 2 --workloads mlp,vgg11q [--windows 5 --window-seconds 0.5]
  python3 bench/pytorch_step.py --device cpu --threads 2 --serve     (windows on request: stdin "KEY STEPS")

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


# label, model factory, input shape, classes, batch, (lr, weight decay, momentum): as bench/NeuralMechanics.Bench/Workload.cs
WORKLOADS = {
    "mlp": ("mlp 2×256", lambda: mlp((1, 28, 28), 10), (1, 28, 28), 10, 128, (0.01, 5e-4, 0.9)),
    "vgg11q": ("vgg11 ×1/4", lambda: vgg(11, False, (3, 32, 32), 10, 0.25), (3, 32, 32), 10, 128, (0.01, 5e-4, 0.9)),
    "vgg16": ("vgg16", lambda: vgg(16, False, (3, 64, 64), 200, 1.0), (3, 64, 64), 200, 256, (0.01, 1e-4, 0.0)),
    "vgg16bn": ("vgg16-bn", lambda: vgg(16, True, (3, 64, 64), 200, 1.0), (3, 64, 64), 200, 256, (0.01, 1e-4, 0.0)),
}


def trainer(key, device):
    """A function running n training steps of workload `key` (seeded model, two random batches), warmed up."""
    label, make, shape, classes, batch, (lr, wd, momentum) = WORKLOADS[key]
    torch.manual_seed(1)
    model = make().to(device).train()
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=wd)
    loss_fn = nn.CrossEntropyLoss()
    batches = [(torch.randn(batch, *shape, device=device), torch.randint(classes, (batch,), device=device)) for _ in range(2)]
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
    "KEY STEPS" runs that many steps of workload KEY and prints {"ms": mean step time}."""
    runs = {}
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 2 or parts[0] not in WORKLOADS:
            print(json.dumps({"error": f"expected 'KEY STEPS' with KEY one of {','.join(WORKLOADS)}, found {line.strip()!r}"}), flush=True)
            continue
        key, steps = parts[0], int(parts[1])
        if key not in runs:
            runs[key] = trainer(key, device)[1]
        start = time.perf_counter()
        runs[key](steps)
        print(json.dumps({"ms": (time.perf_counter() - start) * 1000 / steps}), flush=True)


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
    a = p.parse_args()
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
