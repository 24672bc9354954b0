"""A new Box2D world for every episode, so that an episode depends on its seed only.

Gymnasium's BipedalWalker (and CarRacing) keep one `b2World` for the env's life and only destroy
its bodies at `reset`. The world's broad-phase tree and contact lists keep the shape of the
episodes played before, so the same seed and actions give another trajectory later on
(openai/gym#2390; docs/design.md has a measured case). Under MPI, which rank plays an episode
after which others depends on timing, so fitness, a run's history and its resume would too.
LunarLander was fixed upstream the same way (Farama-Foundation/Gymnasium#728): its reset builds a
new world.
"""

from __future__ import annotations

import gymnasium as gym


def has_box2d_world(env: gym.Env) -> bool:
    """Whether `env` simulates in a Box2D world it tears down with `_destroy()`."""
    base = env.unwrapped
    world = getattr(base, "world", None)
    return type(world).__name__ == "b2World" and callable(getattr(base, "_destroy", None))


class FreshBox2DWorld(gym.Wrapper):
    """Destroys the episode's bodies and swaps in a new, empty world (same gravity and contact
    listener) before every `reset`; the env then builds the episode in it as usual."""

    def reset(self, **kwargs):
        base = self.env.unwrapped
        base._destroy()  # empties the body lists, so the env's own reset has nothing to destroy
        old = base.world
        base.world = type(old)(gravity=old.gravity, contactListener=old.contactListener)
        return self.env.reset(**kwargs)
