"""Presets of pixel games: ViZDoom's Take Cover, CarRacing and retro (Sonic, Airstriker).

Their policies are small MLPs on a grayscale thumbnail of the screen, a baseline that trains on
its own; the World Models presets (a VAE's code and an RNN's state in place of the pixels) come
with the World Models stack. Sonic needs its ROM: `python -m stable_retro.import DIR`.
"""

from envs.retro import SONIC_COMBOS
from envs.spec import EnvSpec
from estool.presets import Preset, mlp, register_preset

THUMBNAIL = (24, 32)  # (h, w): 768 inputs in grayscale
RETRO_FRAME_SKIP = 4  # the Retro Contest's


def thumbnail(
    name: str,
    env_id: str,
    outputs: int,
    steps: int,
    actions: str = "identity",
    activation: str = "tanh",
    **kwargs,
) -> Preset:
    """A preset whose MLP (16 hidden units) sees the screen as a grayscale THUMBNAIL."""
    spec = EnvSpec(
        env_id,
        kwargs={**kwargs, "size": THUMBNAIL, "gray": True},
        max_episode_steps=steps,
        actions=actions,
    )
    return Preset(name, spec, mlp(THUMBNAIL[0] * THUMBNAIL[1], outputs, (16, 0), activation))


def sonic(name: str, game: str) -> Preset:
    """The Retro Contest's setting: its scenario (reward: progress along the level), its seven
    button combinations, each held 4 frames."""
    return thumbnail(
        name, game, len(SONIC_COMBOS), 4500, "argmax", "passthru",
        scenario="contest", combos=SONIC_COMBOS, frame_skip=RETRO_FRAME_SKIP,
    )  # fmt: skip


for preset in (
    thumbnail("doom_takecover", "DoomTakeCover-v0", 1, 2100, continuous=True),
    thumbnail("carracing", "CarRacingFrames-v0", 3, 1000, "rescale", fast_render=False),
    thumbnail("carracing_fast", "CarRacingFrames-v0", 3, 1000, "rescale", fast_render=True),
    sonic("sonic", "SonicTheHedgehog-Genesis-v0"),
    sonic("sonic2", "SonicTheHedgehog2-Genesis-v0"),
    sonic("sonic3", "SonicAndKnuckles3-Genesis-v0"),
    thumbnail("airstriker", "Airstriker-Genesis-v0", 12, 3000, "binary",
              frame_skip=RETRO_FRAME_SKIP),
):  # fmt: skip
    register_preset(preset)
