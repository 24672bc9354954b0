"""pybullet's legacy envs (Racecar, Minitaur, Kuka, CartPoleContinuous) and estool's Minitaur Duck
and Ball, on the Gymnasium API, without old gym.

pybullet ships these in `pybullet_envs.bullet`, written for gym 0.9-0.21. Its package `__init__`
imports old gym, and the modules import `pkg_resources` (gone from setuptools >= 81). So the
modules are imported with `gym` aliased to Gymnasium (their spaces, `seeding` and `Env` base then
are Gymnasium's), a stand-in `pkg_resources.parse_version`, and a bare `pybullet_envs` package
whose `__init__` never runs; `gym` and `pkg_resources` are put back as they were after the import
(the bare package stays, so that old gym's registry never runs in this process).

`LegacyBulletEnv` turns the old API into Gymnasium's (reset(seed) -> (obs, info), a 5-tuple
step), and makes every episode depend on its seed only: these envs draw their start (Racecar's
ball, Kuka's block, Minitaur's randomized masses) from the global `random` and `np.random`. Their
reset and step run with the global generators swapped for the episode's own, made from its seed,
and swapped back afterwards, so that nothing outside the env sees or moves them.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import random
import sys
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

PACKAGE = "pybullet_envs"
RENDER_SIZE = (240, 320)  # (height, width) of `render()` frames


@contextlib.contextmanager
def _legacy_import_context():
    """`gym` as Gymnasium, a `pkg_resources.parse_version`, and a `pybullet_envs` package whose
    `__init__` (old gym's registry) never runs, for the time of an import."""
    import pybullet_data  # noqa: F401  (fails here, clearly, without the pybullet extra)
    from packaging.version import parse

    names = ("gym", "gym.spaces", "gym.utils", "gym.utils.seeding", "pkg_resources")
    saved = {name: sys.modules.get(name) for name in names}
    sys.modules.update(
        {
            "gym": gym,
            "gym.spaces": gym.spaces,
            "gym.utils": gym.utils,
            "gym.utils.seeding": gym.utils.seeding,
        }
    )
    if saved["pkg_resources"] is None:
        stub = types.ModuleType("pkg_resources")
        stub.parse_version = parse
        sys.modules["pkg_resources"] = stub
    if PACKAGE not in sys.modules:
        spec = importlib.util.find_spec("pybullet")
        if spec is None or spec.origin is None:
            raise ImportError("pybullet is not installed: pip install 'estool[pybullet]'")
        package = types.ModuleType(PACKAGE)
        package.__path__ = [str(Path(spec.origin).parent / PACKAGE)]
        bullet = types.ModuleType(f"{PACKAGE}.bullet")  # its __init__ imports every env
        bullet.__path__ = [str(Path(spec.origin).parent / PACKAGE / "bullet")]
        sys.modules[PACKAGE], sys.modules[f"{PACKAGE}.bullet"] = package, bullet
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def legacy_module(name: str) -> types.ModuleType:
    """`pybullet_envs.bullet.<name>`, imported without old gym."""
    full = f"{PACKAGE}.bullet.{name}"
    if full in sys.modules:
        return sys.modules[full]
    with _legacy_import_context(), contextlib.redirect_stdout(io.StringIO()):  # Kuka prints
        return importlib.import_module(full)


@contextlib.contextmanager
def global_generators(state: dict):
    """Run with `random` and `np.random` set to `state` ("random", "numpy"), which receives their
    state after; the caller's global state is restored on the way out."""
    # the legacy envs draw from these globals; this is the one place that touches them
    outside = random.getstate(), np.random.get_state()  # noqa: NPY002
    random.setstate(state["random"])
    np.random.set_state(state["numpy"])  # noqa: NPY002
    try:
        yield
    finally:
        state["random"], state["numpy"] = random.getstate(), np.random.get_state()  # noqa: NPY002
        random.setstate(outside[0])
        np.random.set_state(outside[1])  # noqa: NPY002


def episode_generators(seed: int) -> dict:
    """The global generators' states for the episode of `seed`."""
    return {
        "random": random.Random(seed).getstate(),
        "numpy": np.random.RandomState(seed % 2**32).get_state(),
    }


class LegacyBulletEnv(gym.Env):
    """An old-API pybullet env built by `factory()`, on the Gymnasium API.

    Observations are float32 in a float32 Box made from the legacy env's bounds; actions go to the
    legacy env as float64. `render()` gives (240, 320, 3) uint8 frames (pybullet's TinyRenderer,
    headless). Set `draws_in_step` when the legacy step draws from the global generators.
    """

    metadata: ClassVar[dict] = {"render_modes": ["rgb_array"], "render_fps": 50}

    def __init__(
        self,
        factory: Callable[[], Any],
        render_mode: str | None = None,
        camera: dict | None = None,
        draws_in_step: bool = False,
    ):
        self.render_mode = render_mode
        self.draws_in_step = draws_in_step
        # they print on construction, and make float32 Boxes of float64 bounds (a warning)
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self.legacy = factory()
        for name, value in (camera or {}).items():  # Racecar renders only with these set
            setattr(self.legacy, name, value)
        self.observation_space = _float32_box(self.legacy.observation_space)
        self.action_space = _float32_box(self.legacy.action_space)
        self.generators = episode_generators(0)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        if seed is None:
            seed = int(self.np_random.integers(2**31))
        self.legacy.seed(seed)
        self.generators = episode_generators(seed)
        with global_generators(self.generators), contextlib.redirect_stdout(io.StringIO()):
            obs = self.legacy.reset()
        return self._observation(obs), {}

    def step(self, action):
        action = np.asarray(action, dtype=np.float64)
        if self.draws_in_step:
            with global_generators(self.generators):
                obs, reward, done, info = self.legacy.step(action)
        else:
            obs, reward, done, info = self.legacy.step(action)
        return self._observation(obs), float(reward), bool(done), False, dict(info or {})

    def _observation(self, obs) -> np.ndarray:
        return np.asarray(obs, dtype=np.float32).reshape(self.observation_space.shape)

    def render(self):
        if self.render_mode != "rgb_array":
            return None
        frame = np.asarray(self.legacy.render(mode="rgb_array"), dtype=np.uint8)
        return _resize(frame[..., :3], RENDER_SIZE)

    def close(self):
        self.legacy = None  # its own __del__ disconnects from its physics server


def _float32_box(space: spaces.Space) -> spaces.Space:
    if not isinstance(space, spaces.Box):
        return space
    low = np.maximum(space.low, np.finfo(np.float32).min).astype(np.float32)
    high = np.minimum(space.high, np.finfo(np.float32).max).astype(np.float32)
    return spaces.Box(low, high, dtype=np.float32)


def _resize(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Nearest-neighbour resize of an (H, W, 3) frame to `size`."""
    rows = np.arange(size[0]) * frame.shape[0] // size[0]
    cols = np.arange(size[1]) * frame.shape[1] // size[1]
    return np.ascontiguousarray(frame[rows][:, cols])


# Gymnasium entry points, with estool's settings (its env.py)


def racecar(render_mode: str | None = None) -> LegacyBulletEnv:
    module = legacy_module("racecarGymEnv")
    camera = {"_cam_dist": 8.0, "_cam_yaw": 0.0, "_cam_pitch": -30.0}
    return LegacyBulletEnv(
        lambda: module.RacecarGymEnv(isDiscrete=False, renders=False), render_mode, camera
    )


def minitaur(render_mode: str | None = None) -> LegacyBulletEnv:
    module = legacy_module("minitaur_gym_env")
    return LegacyBulletEnv(lambda: module.MinitaurBulletEnv(render=False), render_mode)


def minitaur_duck(render_mode: str | None = None) -> LegacyBulletEnv:
    module = legacy_module("minitaur_duck_gym_env")
    return LegacyBulletEnv(lambda: module.MinitaurBulletDuckEnv(render=False), render_mode)


def minitaur_ball(render_mode: str | None = None) -> LegacyBulletEnv:
    from envs.minitaur_ball import minitaur_ball_class

    return LegacyBulletEnv(lambda: minitaur_ball_class()(render=False), render_mode)


class OwnConnection:
    """pybullet's functions on a connection of their own, for modules that call pybullet's module
    functions (the default connection, shared by the process) and connect and disconnect it."""

    def __init__(self):
        import pybullet
        from pybullet_utils.bullet_client import BulletClient

        self._client = BulletClient(pybullet.DIRECT)

    def connect(self, *args, **kwargs) -> int:
        return self._client._client

    def disconnect(self, *args, **kwargs) -> None:
        self._client = None  # BulletClient disconnects when it goes

    def loadURDF(self, path, *pose, **kwargs):
        """Also the legacy form loadURDF(path, x, y, z, qx, qy, qz, qw), which takes no
        connection id."""
        if len(pose) == 7:
            return self._client.loadURDF(path, pose[:3], pose[3:], **kwargs)
        return self._client.loadURDF(path, *pose, **kwargs)

    def __getattr__(self, name):
        return getattr(self._client, name)


def kuka(render_mode: str | None = None) -> LegacyBulletEnv:
    env_module, robot_module = legacy_module("kukaGymEnv"), legacy_module("kuka")

    def build():
        # Kuka's modules call `pybullet.*` (the process's default connection): give them their own
        env_module.p = robot_module.p = OwnConnection()
        return env_module.KukaGymEnv(renders=False, isDiscrete=False)

    return LegacyBulletEnv(build, render_mode)


def cartpole_continuous(render_mode: str | None = None) -> LegacyBulletEnv:
    module = legacy_module("cartpole_bullet")
    return LegacyBulletEnv(lambda: module.CartPoleContinuousBulletEnv(renders=False), render_mode)


LEGACY_ENVS = {
    "RacecarBulletEnv-v0": "envs.bullet_legacy:racecar",
    "MinitaurBulletEnv-v0": "envs.bullet_legacy:minitaur",
    "MinitaurDuckBulletEnv-v0": "envs.bullet_legacy:minitaur_duck",
    "MinitaurBallBulletEnv-v0": "envs.bullet_legacy:minitaur_ball",
    "KukaBulletEnv-v0": "envs.bullet_legacy:kuka",
    "CartPoleContinuousBulletEnv-v0": "envs.bullet_legacy:cartpole_continuous",
}
