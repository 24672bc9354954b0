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


def thumbnail_inputs(size: tuple[int, int] = THUMBNAIL) -> int:
    return size[0] * size[1]


def sonic(name: str, game: str) -> Preset:
    """The Retro Contest's setting: its scenario (reward: progress along the level), its seven
    button combinations, each held 4 frames."""
    kwargs = {
        "scenario": "contest",
        "combos": SONIC_COMBOS,
        "frame_skip": RETRO_FRAME_SKIP,
        "size": THUMBNAIL,
        "gray": True,
    }
    spec = EnvSpec(game, kwargs=kwargs, max_episode_steps=4500, actions="argmax")
    return Preset(name, spec, mlp(thumbnail_inputs(), len(SONIC_COMBOS), (16, 0), "passthru"))


for preset in (
    Preset(
        "doom_takecover",
        EnvSpec(
            "DoomTakeCover-v0",
            kwargs={"continuous": True, "size": THUMBNAIL, "gray": True},
            max_episode_steps=2100,
        ),
        mlp(thumbnail_inputs(), 1, (16, 0)),
    ),
    *(
        Preset(
            name,
            EnvSpec(
                "CarRacingFrames-v0",
                kwargs={"size": THUMBNAIL, "gray": True, "fast_render": fast},
                max_episode_steps=1000,
                actions="rescale",
            ),
            mlp(thumbnail_inputs(), 3, (16, 0)),
        )
        for name, fast in (("carracing", False), ("carracing_fast", True))
    ),
    sonic("sonic", "SonicTheHedgehog-Genesis-v0"),
    sonic("sonic2", "SonicTheHedgehog2-Genesis-v0"),
    sonic("sonic3", "SonicAndKnuckles3-Genesis-v0"),
    Preset(
        "airstriker",
        EnvSpec(
            "Airstriker-Genesis-v0",
            kwargs={"frame_skip": RETRO_FRAME_SKIP, "size": THUMBNAIL, "gray": True},
            max_episode_steps=3000,
            actions="binary",
        ),
        mlp(thumbnail_inputs(), 12, (16, 0)),
    ),
):
    register_preset(preset)
