"""A World Models model directory: one design's data, models and the files each step writes.

    design.json            the design's name (`designs.DESIGNS`), written by the first collect
    manifest.json          every collected episode: index, seed, frames, return, terminated
    episodes/000123.npz    an episode (compressed): frames (T + 1, S, S, 3) uint8, the
                           observations before each of its T actions and after the last;
                           actions (T, a) float32 (what M reads), rewards (T,), terminated (),
                           seed (), and source () for a replayed movie (its file name)
    vae.pt / vae.ckpt      V's weights / its training checkpoint; vae.png frames and their
                           reconstructions
    series/000123.npz      V's mu, logvar (T + 1, z) float32 for an episode; its actions,
                           rewards and terminated
    rnn.pt / rnn.ckpt      M's weights / its training checkpoint
    dream.npz              M's weights for numpy (`models.latent_dynamics`) and the latent states
                           dreams start from (mu, logvar of every episode's first frame)

Every file is written whole through a temp file and a rename, so a kill never leaves half a file.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np

from estool.fileio import atomic_write_bytes
from estool.worldmodels.designs import Design, design_named

SHARD_DIGITS = 6


def save_npz(path: Path, **arrays) -> None:
    """`arrays` to a compressed .npz at `path`, atomically."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def write_json(path: Path, data) -> None:
    atomic_write_bytes(path, (json.dumps(data, indent=1) + "\n").encode())


class ModelDir:
    """The files of one World Models directory (see the module docstring)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.episodes = self.path / "episodes"
        self.series = self.path / "series"
        self.vae_file, self.vae_checkpoint = self.path / "vae.pt", self.path / "vae.ckpt"
        self.vae_png = self.path / "vae.png"
        self.rnn_file, self.rnn_checkpoint = self.path / "rnn.pt", self.path / "rnn.ckpt"
        self.dream_file = self.path / "dream.npz"
        self.manifest_file = self.path / "manifest.json"

    def __str__(self) -> str:
        return str(self.path)

    # the design

    def claim(self, design: Design) -> None:
        """Make this the directory of `design`; a ValueError if it holds another design's data."""
        found = self.path / "design.json"
        if found.exists():
            name = json.loads(found.read_text())["design"]
            if name != design.name:
                raise ValueError(
                    f"{self.path} holds {name!r} World Models data, not {design.name!r}: "
                    "choose another directory with --out"
                )
            return
        write_json(found, {"design": design.name})

    def design(self) -> Design:
        """This directory's design, or a ValueError saying how to make one."""
        found = self.path / "design.json"
        if not found.exists():
            raise ValueError(
                f"{self.path} is not a World Models directory (no design.json): "
                "run `estool wm collect GAME --out DIR` first"
            )
        return design_named(json.loads(found.read_text())["design"])

    def require(self, path: Path, step: str) -> Path:
        """`path`, or a ValueError naming the step that writes it."""
        if not path.exists():
            raise ValueError(f"{path} is missing: run `estool wm {step} {self.path}` first")
        return path

    # episodes and their latent series

    def vae_digest(self) -> str:
        """Which V `vae.pt` holds: the series and M made from it record this."""
        return hashlib.sha256(self.vae_file.read_bytes()).hexdigest()[:16]

    def episode_path(self, index: int) -> Path:
        return self.episodes / f"{index:0{SHARD_DIGITS}d}.npz"

    def series_path(self, index: int) -> Path:
        return self.series / f"{index:0{SHARD_DIGITS}d}.npz"

    def episode_indices(self) -> list[int]:
        """The indices of the episodes on disk, in order."""
        if not self.episodes.exists():
            return []
        return sorted(int(p.stem) for p in self.episodes.glob("*.npz") if p.stem.isdigit())

    def write_episode(self, index: int, **arrays) -> None:
        save_npz(self.episode_path(index), **arrays)

    def read_episode(self, index: int, *names: str) -> dict[str, np.ndarray]:
        """The arrays `names` (all of them without names) of episode `index`."""
        with np.load(self.episode_path(index)) as shard:
            return {name: shard[name] for name in (names or shard.files)}

    def write_manifest(self) -> dict:
        """The manifest of the episodes on disk (read from the shards themselves)."""
        episodes = []
        for index in self.episode_indices():
            with np.load(self.episode_path(index)) as info:
                rewards = info["rewards"]
                episode = dict(
                    index=index,
                    seed=int(info["seed"]),
                    frames=len(rewards) + 1,
                    steps=len(rewards),
                    episode_return=float(rewards.sum()),
                    terminated=bool(info["terminated"]),
                )
                if "source" in info.files:  # a replayed movie's file name
                    episode["source"] = str(info["source"])
            episodes.append(episode)
        manifest = {
            "design": self.design().name,
            "episodes": episodes,
            "frames": sum(e["frames"] for e in episodes),
        }
        write_json(self.manifest_file, manifest)
        return manifest

    def manifest(self) -> dict:
        """The manifest, or a ValueError saying that nothing was collected."""
        self.require(self.manifest_file, "collect GAME --out")
        manifest = json.loads(self.manifest_file.read_text())
        if not manifest["episodes"]:
            raise ValueError(f"{self.path} holds no episodes: run `estool wm collect` first")
        return manifest
