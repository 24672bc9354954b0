"""Presets of Gymnasium's MuJoCo v5 tasks (`pip install 'estool[mujoco]'`): an MLP of two tanh
layers, outputs in [-1, 1] mapped onto each task's action range."""

from envs.spec import EnvSpec
from estool.presets import Preset, mlp, register_preset

# (preset, id, observation size, action size)
TASKS = (
    ("mujoco_ant", "Ant-v5", 105, 8),
    ("mujoco_half_cheetah", "HalfCheetah-v5", 17, 6),
    ("mujoco_hopper", "Hopper-v5", 11, 3),
    ("mujoco_walker2d", "Walker2d-v5", 17, 6),
    ("mujoco_humanoid", "Humanoid-v5", 348, 17),
)
for name, env_id, inputs, outputs in TASKS:
    register_preset(
        Preset(
            name,
            EnvSpec(env_id, max_episode_steps=1000, actions="rescale"),
            mlp(inputs, outputs, (64, 32)),
        )
    )
