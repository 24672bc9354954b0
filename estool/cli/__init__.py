"""The command-line entry points: `estool train|model|plot` (and `train.py`, `model.py`)."""
