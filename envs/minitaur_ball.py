"""estool's Minitaur Ball: pybullet's Minitaur Duck with a small ball on its back instead.

The episode ends when the ball touches the ground (or the Minitaur falls); the reward is the
Minitaur's (distance walked, less energy). The ball (`assets/minitaur_ball.urdf`) starts at
(0.1, 0, 0.7), where the duck env's hard reset would load the duck: the client's `loadURDF` is
redirected for that one file, and everything else is the duck env's.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

BALL_URDF = str(Path(__file__).with_name("assets") / "minitaur_ball.urdf")
BALL_START_POS = (0.1, 0.0, 0.7)
BALL_START_ORN = (0.5, 0.5, 0.5, 0.5)


class BallLoader:
    """A pybullet client that loads the ball where the duck env loads its duck."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        return getattr(self._client, name)

    def loadURDF(self, path, *args, **kwargs):
        if str(path).endswith("duck_vhacd.urdf"):
            return self._client.loadURDF(BALL_URDF, BALL_START_POS, BALL_START_ORN)
        return self._client.loadURDF(path, *args, **kwargs)


@cache
def minitaur_ball_class():
    """The env class, built on first use (its base needs `envs.bullet_legacy`'s import)."""
    from envs.bullet_legacy import legacy_module

    duck_env = legacy_module("minitaur_duck_gym_env").MinitaurBulletDuckEnv

    class MinitaurBallBulletEnv(duck_env):
        @property
        def _pybullet_client(self):
            return self._ball_client

        @_pybullet_client.setter
        def _pybullet_client(self, client):
            self._ball_client = client if isinstance(client, BallLoader) else BallLoader(client)

        def lost_ball(self) -> bool:
            return self.lost_duck()

    return MinitaurBallBulletEnv
