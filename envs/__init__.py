"""Environments: `make_env(name, seed, render_mode)` for any Gymnasium id and this project's envs.

Custom envs are registered with Gymnasium under their own ids (lazy entry points), so that
`gymnasium.make` and `make_env` both find them.
"""

from __future__ import annotations

import gymnasium as gym

from envs.fresh_world import FreshBox2DWorld, has_box2d_world

CUSTOM_ENVS = {
    "CartPoleSwingUp-v0": "envs.cartpole_swingup:CartPoleSwingUpEnv",
    "SlimeVolley-v0": "envs.slimevolley:SlimeVolleyEnv",
}

for _env_id, _entry_point in CUSTOM_ENVS.items():
    if _env_id not in gym.registry:
        gym.register(id=_env_id, entry_point=_entry_point)


def make_env(
    env_id: str, seed: int | None = None, render_mode: str | None = None, **kwargs
) -> gym.Env:
    """Build `env_id` without Gymnasium's passive checker (a hot-path cost; tests run check_env),
    in a new Box2D world every episode where it simulates in one (`envs.fresh_world`).

    `seed` seeds the action space; episodes are seeded through `env.reset(seed=...)`.
    """
    try:
        env = gym.make(env_id, render_mode=render_mode, disable_env_checker=True, **kwargs)
    except gym.error.Error as error:
        raise ValueError(f"cannot make environment {env_id!r}: {error}") from error
    if env_id in CUSTOM_ENVS:
        env = env.unwrapped  # this project's envs need no wrapper: one call less per step
    if has_box2d_world(env):
        env = FreshBox2DWorld(env)  # episodes must not depend on the ones played before
    if seed is not None:
        env.action_space.seed(seed)
    return env
