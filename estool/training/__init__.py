"""Training: the run's configuration, the generation loop, its files, lock and checkpoints."""
