"""Environments: `make_env(name, seed, render_mode)` for any Gymnasium id and this project's envs.

Custom envs are registered with Gymnasium under their own ids (lazy entry points), so that
`gymnasium.make` and `make_env` both find them. Families whose package registers its ids on import
(pybullet-envs-gymnasium, ViZDoom) are imported when one of their ids is asked for, and any game
stable-retro integrates is registered then too. Without a display, rendering goes headless
(`MUJOCO_GL=egl`, `SDL_VIDEODRIVER=dummy`) unless those are set.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import replace

import gymnasium as gym

from envs.bullet import settle
from envs.bullet_legacy import LEGACY_ENVS
from envs.fresh_world import FreshBox2DWorld, has_box2d_world

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("MUJOCO_GL", "egl")
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

CUSTOM_ENVS = {
    "CartPoleSwingUp-v0": "envs.cartpole_swingup:CartPoleSwingUpEnv",
    "SlimeVolley-v0": "envs.slimevolley:SlimeVolleyEnv",
    "NoDeathAntBulletEnv-v0": "envs.bullet:no_death_ant",
    "DoomTakeCover-v0": "envs.doom:TakeCover",
    "CarRacingFrames-v0": "envs.carracing:CarRacingFrames",
    "WorldModel-v0": "envs.world_model:WorldModelEnv",
    "Dream-v0": "envs.dream:DreamEnv",
    **LEGACY_ENVS,
}
# families whose ids their package registers when imported: (part of the id, module, extra)
REGISTERED_ON_IMPORT = (
    ("BulletEnv-", "pybullet_envs_gymnasium", "pybullet"),
    ("Vizdoom", "vizdoom.gymnasium_wrapper", "doom"),
)

# Gymnasium envs this project builds from its own port instead: the same arithmetic in plain
# floats, the same episodes bit for bit, without wrapper layers (the port caps its episodes)
PORTS = {"Pendulum-v1": "envs.pendulum:PendulumEnv"}

MAKE_WRAPPERS = (gym.wrappers.OrderEnforcing, gym.wrappers.PassiveEnvChecker)

for _env_id, _entry_point in CUSTOM_ENVS.items():
    if _env_id not in gym.registry:
        gym.register(id=_env_id, entry_point=_entry_point)


def ensure_registered(env_id: str) -> None:
    """Register `env_id` with Gymnasium where this project knows how: import the package of its
    family (a missing one is a ValueError that names the extra to install), or register a
    stable-retro game under its integration name."""
    if env_id in gym.registry:
        return
    for part, module, extra in REGISTERED_ON_IMPORT:
        if part in env_id:
            try:
                importlib.import_module(module)
            except ImportError as error:
                raise ValueError(
                    f"{env_id} needs {module} ({error}): pip install 'estool[{extra}]'"
                ) from None
            return
    from envs.retro import is_retro_game

    if is_retro_game(env_id):
        gym.register(id=env_id, entry_point="envs.retro:RetroGame", kwargs={"game": env_id})


def make_env(
    env_id: str, seed: int | None = None, render_mode: str | None = None, **kwargs
) -> gym.Env:
    """Build `env_id` without Gymnasium's passive checker (a hot-path cost; tests run check_env),
    in a new Box2D world every episode where it simulates in one (`envs.fresh_world`).

    `seed` seeds the action space; episodes are seeded through `env.reset(seed=...)`.
    """
    ensure_registered(env_id)
    target = env_id
    if env_id in PORTS:
        target = replace(gym.spec(env_id), entry_point=PORTS[env_id], max_episode_steps=None)
    try:
        env = gym.make(target, render_mode=render_mode, disable_env_checker=True, **kwargs)
    except (gym.error.Error, TypeError) as error:
        raise ValueError(f"cannot make environment {env_id!r}: {error}") from error
    if env_id in CUSTOM_ENVS or env_id in PORTS:
        # this project's envs need none of gym.make's wrappers: fewer calls per step
        while isinstance(env, MAKE_WRAPPERS):
            env = env.env
    env = settle(env)  # pybullet's locomotion envs: every episode from a restored start
    if has_box2d_world(env):
        env = FreshBox2DWorld(env)  # episodes must not depend on the ones played before
    if seed is not None:
        env.action_space.seed(seed)
    return env
