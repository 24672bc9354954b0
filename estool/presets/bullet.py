"""estool's pybullet presets (its config.py), with their exact policy shapes, so that its zoo
files load: inputs, outputs, hidden layers, activation, time factor, output noise, noise bias.

Roboschool is gone; `robo_ant` plays pybullet's Ant (the same observation and action sizes), where
estool's robo_ant.json scores 3211 ± 30 (recorded 3473). Its hopper, walker and reacher files do
not carry over to pybullet's bodies (10 to 40 against 2,400 to 3,000), so they have no preset.
"""

from envs.spec import EnvSpec
from estool.presets import Preset, mlp, register_preset

NOISY_OUTPUT = (False, False, True)  # a learned std on the last layer: stochastic actions
ALL_NOISY = (True, True, True)


def bullet(
    name: str,
    env_id: str,
    inputs: int,
    outputs: int,
    hidden: tuple[int, int],
    activation: str = "tanh",
    time_factor: float = 0.0,
    output_noise: tuple[bool, bool, bool] = (False, False, False),
    noise_bias: float = 0.0,
) -> Preset:
    policy = mlp(
        inputs,
        outputs,
        hidden,
        activation,
        time_factor=time_factor,
        output_noise=output_noise,
        noise_bias=noise_bias,
    )
    return Preset(name, EnvSpec(env_id), policy)


ANT, MINITAUR = "AntBulletEnv-v0", "MinitaurBulletEnv-v0"
DUCK, BALL = "MinitaurDuckBulletEnv-v0", "MinitaurBallBulletEnv-v0"
KUKA = "KukaBulletEnv-v0"
for preset in (
    bullet("bullet_cartpole", "CartPoleContinuousBulletEnv-v0", 4, 1, (25, 5), "tanh", 200,
           NOISY_OUTPUT),
    bullet("bullet_pendulum", "InvertedPendulumSwingupBulletEnv-v0", 5, 1, (25, 5), "passthru",
           1000, NOISY_OUTPUT),
    bullet("bullet_double_pendulum", "InvertedDoublePendulumBulletEnv-v0", 9, 1, (45, 5),
           "passthru", 0, NOISY_OUTPUT),
    bullet("bullet_minitaur_duck", DUCK, 28, 8, (64, 32)),
    bullet("bullet_minitaur_duck_stoc", DUCK, 28, 8, (64, 32), output_noise=ALL_NOISY,
           noise_bias=-1.0),
    bullet("bullet_minitaur_ball", BALL, 28, 8, (64, 32)),
    bullet("bullet_minitaur_ball_stoc", BALL, 28, 8, (64, 32), output_noise=ALL_NOISY,
           noise_bias=-1.0),
    bullet("bullet_kuka_grasping", KUKA, 9, 3, (64, 32)),
    bullet("bullet_kuka_grasping_stoc", KUKA, 9, 3, (64, 32), output_noise=NOISY_OUTPUT),
    bullet("bullet_half_cheetah", "HalfCheetahBulletEnv-v0", 26, 6, (64, 32)),
    bullet("bullet_humanoid", "HumanoidBulletEnv-v0", 44, 17, (220, 85), "passthru", 1000,
           NOISY_OUTPUT),
    bullet("bullet_ant", ANT, 28, 8, (64, 32), "tanh", 1000, NOISY_OUTPUT),
    bullet("bullet_ant_deterministic", ANT, 28, 8, (32, 16), "tanh", 1000),
    bullet("bullet_ant_tiny", ANT, 28, 8, (16, 0), "tanh", 1000, NOISY_OUTPUT),
    bullet("bullet_ant_custom", "NoDeathAntBulletEnv-v0", 28, 8, (16, 0)),
    bullet("bullet_walker", "Walker2DBulletEnv-v0", 22, 6, (110, 30), "passthru", 1000,
           NOISY_OUTPUT),
    bullet("bullet_hopper", "HopperBulletEnv-v0", 15, 3, (75, 15), "passthru", 1000,
           NOISY_OUTPUT),
    bullet("bullet_racecar", "RacecarBulletEnv-v0", 2, 2, (20, 20), "passthru", 1000),
    bullet("bullet_minitaur", MINITAUR, 28, 8, (64, 32)),
    bullet("bullet_minitaur_stoc", MINITAUR, 28, 8, (64, 32), output_noise=ALL_NOISY),
    bullet("robo_ant", ANT, 28, 8, (140, 40), "passthru", 1000, NOISY_OUTPUT),
):  # fmt: skip
    register_preset(preset)
