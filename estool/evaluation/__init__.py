"""Evaluation: playing episodes of parameter vectors, in this process or on MPI ranks.

Nothing here imports numpy at package import: `estool/__init__.py` imports `threads` before numpy
is first loaded.
"""
