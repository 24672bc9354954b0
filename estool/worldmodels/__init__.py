"""The World Models pipeline (Ha & Schmidhuber, 2018): collect -> train V -> encode -> train M ->
evolve C in the real env or in M's dream (`estool wm ...`, `estool.cli.wm`).

One model directory holds a design's data and models (`store.ModelDir`); every step resumes.
"""
