"""cartpole_swingup presets with larger policies, for `train.py sized_policies:NAME` benchmarks.

The hidden layer is sized so that the policy has about 1,000 or 100,000 parameters
(5 inputs, one hidden layer of h units, 1 output: 7 h + 1 parameters).
"""

from estool.presets import PRESETS, Preset, mlp, register_preset

for _label, _hidden in (("1k", 143), ("100k", 14286)):
    _env = PRESETS["cartpole_swingup"].env
    register_preset(Preset(f"cartpole_swingup_{_label}", _env, mlp(5, 1, (_hidden, 0))))
