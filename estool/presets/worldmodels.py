"""World Models presets (Ha & Schmidhuber, 2018): the controller C on a trained V and M.

- `doom_dream`: C evolved inside M's dream of Take Cover (temperature 1.15, deaths drawn
  from M's done head, at most 2100 steps), many dream episodes stepped together;
- `doom_real`: the same C (1,088 parameters) in the real ViZDoom, V and M in the loop;
- `carracing_wm`: C (867 parameters) in the real CarRacing, V and M in the loop;
- `sonic_wm`, `sonic2_wm`, `sonic3_wm`: the Sonic port's C (1,153,540 parameters) in the real
  game, a level drawn by each episode's seed (training levels for training, held-out ones for
  evaluations); `airstriker_wm`, the same models on the game stable-retro ships.

Each needs a model directory made by `estool wm` (`--wm DIR`, default log/DESIGN.wm).
"""

from dataclasses import replace

from envs.spec import EnvSpec
from estool.presets import PRESETS, Preset, register_preset
from estool.worldmodels.designs import DESIGNS, Design
from models.registry import PolicySpec


def controller(design: Design) -> PolicySpec:
    return PolicySpec("wm_controller", design.controller_args())


def real(name: str, design: Design, wrappers: tuple[str, ...] = ()) -> Preset:
    spec = EnvSpec(
        "WorldModel-v0",
        {"design": design.name},
        max_episode_steps=design.env.max_episode_steps,
        wrappers=wrappers,
    )
    return Preset(name, spec, controller(design), world_model=design.name)


def dream(name: str, design: Design) -> Preset:
    steps = design.env.max_episode_steps
    spec = EnvSpec(
        "Dream-v0",
        {"design": design.name, "temperature": design.temperature, "max_steps": steps},
        max_episode_steps=steps,
    )
    return Preset(name, spec, controller(design), world_model=design.name)


def in_real_env(design: str) -> Preset:
    """The preset that plays `design`'s controller in its real env."""
    return next(
        p for p in PRESETS.values() if p.world_model == design and p.env.id == "WorldModel-v0"
    )


def in_dream(preset: Preset) -> Preset:
    """The dream of `preset`'s World Model, played by its controller (`model.py --dream`)."""
    if preset.world_model is None or not DESIGNS[preset.world_model].done_head:
        dreamers = ", ".join(n for n, p in PRESETS.items() if p.env.id == "Dream-v0")
        raise ValueError(f"--dream: {preset.name} has no dream; games with one: {dreamers}")
    return replace(dream(preset.name, DESIGNS[preset.world_model]), policy=preset.policy)


for preset in (
    dream("doom_dream", DESIGNS["doom"]),
    real("doom_real", DESIGNS["doom"]),
    real("carracing_wm", DESIGNS["carracing"]),
    # training episodes play the training levels, evaluations the held-out ones
    real("sonic_wm", DESIGNS["sonic"], ("training_levels",)),
    real("sonic2_wm", DESIGNS["sonic2"], ("training_levels",)),
    real("sonic3_wm", DESIGNS["sonic3"], ("training_levels",)),
    real("airstriker_wm", DESIGNS["airstriker"], ("training_levels",)),
):
    register_preset(preset)
