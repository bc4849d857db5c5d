"""W1 and W2 of the benchmark workloads (bench/WORKLOADS.md) in PyTorch on the CPU.

One implementation's process, as the harness runs it (bench/src/peers/protocol.ts): the request is
one JSON argument; the fixtures and the check's arrays are folders of raw little-endian arrays
named by arrays.json (bench/src/peers/fixture-files.ts); the answer is one stdout line starting
with BENCH_RESULT. Written as a PyTorch user would: autograd with the ATan surrogate as a
torch.autograd.Function, the LIF reset detached, torch.optim.SGD for W1's update.
"""

import json
import math
import os
import sys
import time

import numpy as np
import torch

RESULT_MARKER = "BENCH_RESULT "
ALPHA = 2.0
LR = 0.1
TAU = 2.0
V_THRESHOLD = 1.0
INDEX_FILE = "arrays.json"
DTYPES = {"float32": "<f4", "int32": "<i4"}


def read_arrays(folder):
    """Every array of a folder written by fixture-files.ts, each size checked against its shape."""
    with open(os.path.join(folder, INDEX_FILE), encoding="utf8") as f:
        index = json.load(f)
    arrays = {}
    for name, entry in index.items():
        dtype = DTYPES.get(entry.get("dtype"))
        shape = entry.get("shape")
        if dtype is None or not isinstance(shape, list):
            raise ValueError(f"{folder}: array {name!r} needs a dtype (float32 or int32) and a shape")
        data = np.fromfile(os.path.join(folder, name + ".bin"), dtype=dtype)
        if data.size != math.prod(shape):
            raise ValueError(f"{folder}: array {name} holds {data.size} values, shape {shape} needs {math.prod(shape)}")
        arrays[name] = data.reshape(shape).astype(dtype[1:], copy=False)
    return arrays


def write_arrays(folder, arrays):
    """Float32 arrays into a folder, as fixture-files.ts reads them."""
    os.makedirs(folder, exist_ok=True)
    index = {}
    for name, tensor in arrays.items():
        data = np.ascontiguousarray(tensor.detach().numpy(), dtype="<f4")
        data.tofile(os.path.join(folder, name + ".bin"))
        index[name] = {"dtype": "float32", "shape": list(data.shape)}
    with open(os.path.join(folder, INDEX_FILE), "w", encoding="utf8") as f:
        json.dump(index, f)


class AtanSpike(torch.autograd.Function):
    """heaviside(u) (1 where u >= 0) with the ATan surrogate gradient alpha/2 / (1 + (pi/2 alpha u)^2)."""

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return (u >= 0).to(u.dtype)

    @staticmethod
    def backward(ctx, grad):
        (u,) = ctx.saved_tensors
        return grad * (ALPHA / 2) / (1 + (math.pi / 2 * ALPHA * u) ** 2)


def lif(h):
    """Multi-step LIF over h [T, ...]: tau 2, decay_input, V_th 1, hard reset to 0, detach_reset."""
    v = torch.zeros_like(h[0])
    spikes = []
    for t in range(h.shape[0]):
        v = v + (h[t] - v) / TAU
        s = AtanSpike.apply(v - V_THRESHOLD)
        v = v * (1 - s.detach())
        spikes.append(s)
    return torch.stack(spikes)


class LifMlp:
    """W1: x [T, B, 784] spikes (a dense float32 tensor of 0/1), two LIF layers, rates as logits."""

    def __init__(self, fixture):
        self.x = fixture["x"]
        self.labels = torch.from_numpy(fixture["labels"]).long()
        self.w1 = torch.from_numpy(fixture["w1"].copy()).requires_grad_()
        self.w2 = torch.from_numpy(fixture["w2"].copy()).requires_grad_()
        self.optimizer = torch.optim.SGD([self.w1, self.w2], lr=LR)

    def loss(self):
        x = torch.from_numpy(self.x)
        T, B, inputs = x.shape
        s1 = lif((x.reshape(T * B, inputs) @ self.w1).reshape(T, B, -1))
        s2 = lif((s1.reshape(T * B, -1) @ self.w2).reshape(T, B, -1))
        # mean_b -log_softmax(r)[b, y_b]
        return torch.nn.functional.cross_entropy(s2.mean(0), self.labels)

    def step(self):
        loss = self.loss()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def check(self, out):
        start = time.perf_counter()
        loss = self.loss()
        dw1, dw2 = torch.autograd.grad(loss, [self.w1, self.w2])
        first_call_ms = (time.perf_counter() - start) * 1e3
        step_loss = self.step()
        write_arrays(out, {"dw1": dw1, "dw2": dw2, "w1_after": self.w1, "w2_after": self.w2})
        return {"loss": loss.item(), "step_loss": step_loss, "first_call_ms": first_call_ms}


class Psn:
    """W2: H = W X + b, ATan spike, loss = sum(S G); dW, db and dX."""

    def __init__(self, fixture):
        self.x = torch.from_numpy(fixture["x"].copy()).requires_grad_()
        self.w = torch.from_numpy(fixture["w"].copy()).requires_grad_()
        self.b = torch.from_numpy(fixture["b"].copy()).requires_grad_()
        self.g = torch.from_numpy(fixture["g"].copy())

    def loss_and_grads(self):
        h = self.w @ self.x + self.b[:, None]
        loss = (AtanSpike.apply(h) * self.g).sum()
        return loss, torch.autograd.grad(loss, [self.w, self.b, self.x])

    def step(self):
        return self.loss_and_grads()[0].item()

    def check(self, out):
        start = time.perf_counter()
        loss, (dw, db, dx) = self.loss_and_grads()
        first_call_ms = (time.perf_counter() - start) * 1e3
        write_arrays(out, {"dw": dw, "db": db, "dx": dx})
        return {"loss": loss.item(), "step_loss": self.step(), "first_call_ms": first_call_ms}


WORKLOADS = {"w1": LifMlp, "w2": Psn}


def sample_steps(step, timing):
    """The first call's ms and the timed samples, as harness/timing.ts sampleSteps."""
    t0 = time.perf_counter()
    step()
    first = (time.perf_counter() - t0) * 1e3
    for _ in range(timing["warmup"]):
        step()
    samples = []
    spent = 0.0
    while len(samples) < timing["reps"] and (len(samples) < timing["minReps"] or spent < timing["budgetMs"]):
        start = time.perf_counter()
        step()
        ms = (time.perf_counter() - start) * 1e3
        samples.append(ms)
        spent += ms
    return first, samples


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: peer.py <request JSON> (see bench/src/peers/protocol.ts)")
    request = json.loads(sys.argv[1])
    workload = WORKLOADS.get(request.get("workload"))
    if workload is None or request.get("impl") != "torch":
        raise SystemExit(f"peer.py runs impl 'torch' of workload w1 or w2, not {request.get('impl')!r} of {request.get('workload')!r}")
    # Debian's torch may start with one thread (its OpenMP default) on a machine with more cores;
    # the peer uses every core this process may use (the device line says how many).
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    check = None
    if request.get("check"):
        check = workload(read_arrays(request["check"]["fixture"])).check(request["check"]["out"])
    model = workload(read_arrays(request["fixture"]))
    first, samples = sample_steps(model.step, request["timing"])
    result = {
        "impl": "torch",
        "device": f"CPU via PyTorch {torch.__version__} ({torch.get_num_threads()} threads)",
        "check": check,
        "first_ms": first,
        "samples": samples,
        "load_1min": os.getloadavg()[0],
        "kernels": None,
    }
    print("\n" + RESULT_MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
