"""Presets of classic control, Box2D and slimevolley."""

from envs.spec import EnvSpec
from estool.presets import Preset, mlp, register_preset, rnn

BIPED = EnvSpec("BipedalWalker-v3")
PENDULUM = EnvSpec("Pendulum-v1", actions="rescale")
for preset in (
    Preset("cartpole_swingup", EnvSpec("CartPoleSwingUp-v0"), mlp(5, 1, (10, 0))),
    Preset("pendulum", PENDULUM, mlp(3, 1, (16, 0))),
    Preset("pendulum_rnn", PENDULUM, rnn(3, 1, hidden=8, layer=16)),
    Preset("biped", BIPED, mlp(24, 4, (40, 40))),
    Preset("bipedhard", EnvSpec(BIPED.id, kwargs={"hardcore": True}), mlp(24, 4, (40, 40))),
    # with the reward shaping estool's rollouts applied to every BipedalWalker training episode
    Preset(
        "biped_estool", EnvSpec(BIPED.id, wrappers=("estool_biped_reward",)), mlp(24, 4, (40, 40))
    ),
    Preset("lunar", EnvSpec("LunarLander-v3", kwargs={"continuous": True}), mlp(8, 2, (32, 16))),
    # against slimevolleygym's baseline; +0.01 per step survived in training, as estool trained it
    Preset(
        "slimevolley",
        EnvSpec("SlimeVolley-v0", wrappers=("survival_bonus",)),
        mlp(12, 3, (20, 20)),
    ),
):
    register_preset(preset)
