"""World Models throughput: collect, V and M training, the dream, and C's training, in one run.

    python bench/worldmodels.py [--dir DIR] [--seconds 20] [--carracing] [--sonic]

First a small Doom model directory is made by the pipeline itself (`estool wm collect` of 6 real
ViZDoom episodes at -n 2, one V epoch, encode, one M epoch), in DIR (default: a temp folder).
Then, each in turn:
- raw env: ViZDoom Take Cover with World Models frames, random actions, one process (the
  yardstick of every real-env figure);
- collect: `estool wm collect doom -n 2` of 12 more episodes, frames/s;
- V: train steps at the design's batch (100 frames of 64x64), frames/s and this process's peak
  RSS; V encode frames/s (batches of 256, no gradient);
- M: Doom's M (512 units), train steps of 16 sequences of 100 steps, sequences/s and peak RSS;
- dream: `DreamVector` row-steps/s at batch 1, 16 and 64, random actions;
- C: `train.py doom_dream -n 2 -t 8 -e 4` (4 generations) and `train.py doom_real -n 2 -t 2
  -e 1` (3), env steps/s from their progress rows (every generation after the first);
- with --carracing: the same pipeline on CarRacing (2 episodes of 200 steps) and
  `train.py carracing_wm -n 2 -t 2 -e 1` (2 generations), steps/s with V and M in the loop,
  beside the raw CarRacing loop;
- with --sonic: the Sonic port's models on Airstriker (the game stable-retro ships): the raw
  loop at frame skip 4, V (128 px beta-VAE, z 200) train frames/s at batch 32 and peak RSS, M
  (1024 + 1024 units, 8 Gaussians) train sequences/s of 4 x 100 steps and peak RSS, and
  `train.py airstriker_wm -o cma --diagonal -n 2 -t 2 -e 1` (C has 1,153,540 parameters;
  episodes capped at 200 steps with early_stop:200:1e9), steps/s with V and M in the loop.
Torch runs on one thread, as on every rollout rank.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ENV = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")


def command(*args: str, timeout: int = 3600) -> float:
    """Run `python ARGS...` from the checkout; its wall-clock seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, env=ENV, cwd=ROOT, timeout=timeout,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


def wm(*args: str) -> float:
    return command("-m", "estool", "wm", *args)


def rate(run, seconds: float) -> float:
    """Calls of `run()` (each returns its units) per second over about `seconds`."""
    run()  # warm
    units, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        units += run()
    return units / (time.perf_counter() - start)


def raw_env_rate(spec, seconds: float) -> float:
    env = spec.make()
    rng = np.random.default_rng(0)
    env.reset(seed=0)

    space = env.action_space
    space.seed(0)

    def steps() -> int:
        for _ in range(50):
            if hasattr(space, "low"):
                action = rng.uniform(-1, 1, space.shape).astype(np.float32)
                action = np.clip(action, space.low, space.high)
            else:  # buttons
                action = space.sample()
            if any(env.step(action)[2:4]):
                env.reset(seed=int(rng.integers(2**31)))
        return 50

    try:
        return rate(steps, seconds)
    finally:
        env.close()


def make_directory(
    store_path: Path, design: str, episodes: int, max_steps: int, vae_batch: int | None = None
) -> None:
    wm("collect", design, "--episodes", str(episodes), "-n", "2", "--out", str(store_path),
       "--max_steps", str(max_steps))  # fmt: skip
    batch = ["--batch_size", str(vae_batch)] if vae_batch else []
    wm("train-vae", str(store_path), "--epochs", "1", "--device", "cpu", *batch)
    wm("encode", str(store_path), "--device", "cpu")
    wm("train-rnn", str(store_path), "--epochs", "1", "--batch_size", "8", "--sequence_length",
       "50", "--min_episode", "0", "--device", "cpu")  # fmt: skip


def train_rate(
    preset: str, store: Path, log: Path, trials: int, episodes: int, gens: int, *extra: str
) -> float:
    """env steps/s of `train.py PRESET -n 2 -t TRIALS -e EPISODES` over generations 2..GENS."""
    command(str(ROOT / "train.py"), preset, "--wm", str(store), "-n", "2", "-t", str(trials),
            "-e", str(episodes), "--max_generations", str(gens), "--log_dir", str(log),
            "--overwrite", *extra)  # fmt: skip
    rows = np.array(json.loads(next(log.glob(f"{preset}.*.hist.json")).read_text()))
    # columns: generation, seconds, ..., steps_mean (7): the mean over the population's episodes
    steps = rows[1:, 7] * 2 * trials * episodes
    return float(steps.sum() / (rows[-1, 1] - rows[0, 1]))


def in_fresh_process(function, *args):
    """`function(*args)` in a new Python process: its own peak memory, nothing shared."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def v_rates(seconds: float, design: str = "doom", batch: int = 100) -> tuple[float, float, float]:
    """V's train frames/s, this process's peak RSS growth (MB) while training, encode frames/s."""
    import torch

    from estool.worldmodels.designs import DESIGNS
    from models.vae import ConvVAE, frames_to_tensor, vae_loss

    torch.set_num_threads(1)
    d = DESIGNS[design]
    before = peak_mb()
    model = ConvVAE(**d.vae_args())
    optimizer = torch.optim.Adam(model.parameters(), lr=d.vae_lr)
    size = d.image_size
    frames = np.random.default_rng(0).integers(0, 256, (batch, size, size, 3), dtype=np.uint8)
    generator = torch.Generator().manual_seed(0)

    def step() -> int:
        x = frames_to_tensor(frames)
        reconstruction, mu, logvar = model(x, generator)
        loss = vae_loss(reconstruction, x, mu, logvar, d.kl_tolerance, d.beta, d.bce)[0]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return len(frames)

    train = rate(step, seconds)
    grown = peak_mb() - before
    many = np.concatenate([frames] * 3)[:256]

    def encode() -> int:
        with torch.no_grad():
            model.encode(frames_to_tensor(many))
        return len(many)

    return train, grown, rate(encode, seconds / 2)


def m_rate(seconds: float, design: str = "doom", batch: int = 16) -> tuple[float, float]:
    """M's train sequences/s (of 100 steps) and this process's peak RSS growth (MB)."""
    import torch

    from estool.worldmodels.designs import DESIGNS
    from models.mdrnn import MDNRNN, done_loss, mdn_loss

    torch.set_num_threads(1)
    d = DESIGNS[design]
    before = peak_mb()
    model = MDNRNN(**d.rnn_args())
    optimizer = torch.optim.Adam(model.parameters(), lr=d.rnn_lr)
    inputs = torch.randn(batch, 100, model.input_size)
    target = torch.randn(batch, 100, d.z_size)
    done, mask = torch.zeros(batch, 100), torch.ones(batch, 100, dtype=torch.bool)

    def step() -> int:
        out, _ = model(inputs)
        loss = mdn_loss(out.logit_pi, out.mu, out.log_sigma, target, mask)
        if d.done_head:
            loss = loss + done_loss(out.done_logit, done, mask, d.done_weight)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return batch

    sequences = rate(step, seconds)
    return sequences, peak_mb() - before


def dream_rate(store: Path, batch: int, seconds: float) -> float:
    from envs.dream import DreamVector

    vector = DreamVector("doom", str(store), max_steps=10**9)
    rng = np.random.default_rng(0)
    vector.reset(np.arange(batch))

    def steps() -> int:
        vector.step(rng.uniform(-1, 1, (batch, 1)))
        return batch

    return rate(steps, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", default=None, help="where the model directories go")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--carracing", action="store_true")
    parser.add_argument("--sonic", action="store_true", help="the Sonic models on Airstriker")
    parser.add_argument("--only_sonic", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    base = Path(args.dir or tempfile.mkdtemp(prefix="wm_bench_"))
    rows = [] if args.only_sonic else doom_rows(base, args)
    if args.sonic or args.only_sonic:
        rows += sonic_rows(base, args.seconds)
    print(f"\n{'measure':<44} {'value':>10}  unit")
    for name, value, unit in rows:
        print(f"{name:<44} {value:>10.1f}  {unit}")


def sonic_rows(base: Path, seconds: float) -> list[tuple[str, float, str]]:
    from estool.worldmodels.designs import DESIGNS

    air = base / "airstriker.wm"
    make_directory(air, "airstriker", 2, 150, vae_batch=32)
    rows = [("raw Airstriker loop, frame skip 4", raw_env_rate(DESIGNS["airstriker"].env,
                                                                seconds), "steps/s")]  # fmt: skip
    v_train, v_peak, v_encode = in_fresh_process(v_rates, seconds, "sonic", 32)
    rows += [
        ("Sonic V train, batch 32 (128 px, z 200)", v_train, "frames/s"),
        ("Sonic V train peak RSS growth", v_peak, "MB"),
        ("Sonic V encode, batch 256", v_encode, "frames/s"),
    ]
    m_train, m_peak = in_fresh_process(m_rate, seconds, "sonic", 4)
    rows += [
        ("Sonic M train, 4 x 100 steps", m_train, "sequences/s"),
        ("Sonic M train peak RSS growth", m_peak, "MB"),
    ]
    speed = train_rate("airstriker_wm", air, base / "log_airstriker_wm", 2, 1, 3, "-o", "cma",
                       "--diagonal", "--wrap", "early_stop:200:1e9")  # fmt: skip
    rows.append(("train.py airstriker_wm -n 2 -t 2 -e 1", speed, "steps/s"))
    return rows


def doom_rows(base: Path, args) -> list[tuple[str, float, str]]:
    from estool.worldmodels.designs import DESIGNS

    doom = base / "doom.wm"
    made = time.perf_counter()
    make_directory(doom, "doom", 6, 2100)
    print(f"model directory {doom}: made in {time.perf_counter() - made:.0f} s")
    rows = [
        ("raw ViZDoom loop (1 process)", raw_env_rate(DESIGNS["doom"].env, args.seconds), "steps/s")
    ]
    frames_before = json.loads((doom / "manifest.json").read_text())["frames"]
    seconds = wm("collect", "doom", "--episodes", "18", "-n", "2", "--out", str(doom))
    frames = json.loads((doom / "manifest.json").read_text())["frames"] - frames_before
    rows.append(("collect -n 2 (frames written)", frames / seconds, "frames/s"))
    v_train, v_peak, v_encode = in_fresh_process(v_rates, args.seconds)
    rows += [
        ("V train, batch 100 (z 64)", v_train, "frames/s"),
        ("V train peak RSS growth", v_peak, "MB"),
        ("V encode, batch 256", v_encode, "frames/s"),
    ]
    m_train, m_peak = in_fresh_process(m_rate, args.seconds)
    rows += [
        ("M train, Doom, 16 x 100 steps", m_train, "sequences/s"),
        ("M train peak RSS growth", m_peak, "MB"),
    ]
    for batch in (1, 16, 64):
        rows.append((f"dream, batch {batch}", dream_rate(doom, batch, args.seconds / 2), "steps/s"))
    for preset, trials, episodes, gens in (("doom_dream", 8, 4, 4), ("doom_real", 2, 1, 3)):
        log = base / f"log_{preset}"
        speed = train_rate(preset, doom, log, trials, episodes, gens)
        rows.append((f"train.py {preset} -n 2 -t {trials} -e {episodes}", speed, "steps/s"))
    if args.carracing:
        car = base / "carracing.wm"
        make_directory(car, "carracing", 2, 200)
        rows.append(
            (
                "raw CarRacing loop (1 process)",
                raw_env_rate(DESIGNS["carracing"].env, args.seconds),
                "steps/s",
            )
        )
        log = base / "log_carracing_wm"
        speed = train_rate("carracing_wm", car, log, 2, 1, 2)
        rows.append(("train.py carracing_wm -n 2 -t 2 -e 1", speed, "steps/s"))
    return rows


if __name__ == "__main__":
    main()
