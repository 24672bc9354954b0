"""The files a run's rollouts read, sent by rank 0 to the other ranks: a cluster's hosts need not
share a disk.

A worker needs nothing but the installed package and what the command line names: the World
Model's directory (`--wm`) and level lists (`--train_levels`, `--test_levels`, and the `.state`
files they name). At start-up, rank 0 reads them and broadcasts their bytes; every other rank
writes them into a private temporary folder and plays from its copy (removed at exit). Only rank 0
reads and writes the run's own files (checkpoints, logs).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from estool.evaluation.launch import mpi_size

# what `estool.worldmodels.loading` reads of a model directory
WORLD_MODEL_FILES = ("design.json", "dream.npz", "vae.pt")


def read_inputs(wm_dir: str | None, level_lists: dict[str, str | None]) -> dict:
    """Rank 0's side: {"wm": {name: bytes} or None, "lists": {role: (levels, {state: bytes})}}.
    What is missing is left out: the error it causes is rank 0's, in the usual place."""
    from envs.levels import is_state_file, read_levels

    bundle: dict = {"wm": None, "lists": {}}
    if wm_dir is not None and Path(wm_dir).is_dir():
        folder = Path(wm_dir)
        found = [name for name in WORLD_MODEL_FILES if (folder / name).is_file()]
        bundle["wm"] = {name: (folder / name).read_bytes() for name in found}
    for role, source in level_lists.items():
        if source is None or not Path(source).is_file():
            continue  # none, or a packaged list (every host has the package)
        levels = read_levels(source)
        states = {
            level: Path(level).read_bytes()
            for level in levels
            if is_state_file(level) and Path(level).is_file()
        }
        bundle["lists"][role] = (levels, states)
    return bundle


def write_inputs(bundle: dict, folder: Path, wm_dir: str | None, level_lists: dict) -> tuple:
    """A worker's side: the bundle's files under `folder`; (wm_dir, level_lists) pointing there."""
    if bundle["wm"] is not None:
        local = folder / "world_model"
        local.mkdir()
        for name, data in bundle["wm"].items():
            (local / name).write_bytes(data)
        wm_dir = str(local)
    level_lists = dict(level_lists)
    for role, (levels, states) in bundle["lists"].items():
        lines = []
        for level in levels:
            if level in states:
                copy = folder / f"{role}.{len(lines)}.state"
                copy.write_bytes(states[level])
                level = str(copy)
            lines.append(level)
        listed = folder / f"{role}.txt"
        listed.write_text("\n".join(lines) + "\n")
        level_lists[role] = str(listed)
    return wm_dir, level_lists


def share_inputs(wm_dir: str | None, level_lists: dict[str, str | None]) -> tuple:
    """(wm_dir, level_lists) as this rank should read them: rank 0's own paths on rank 0 and
    outside MPI; on the other ranks, copies of rank 0's files received over MPI. Every rank
    reaches the broadcast: an error reading the files is raised on all of them."""
    if mpi_size() == 1:
        return wm_dir, level_lists
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    bundle = None
    if comm.Get_rank() == 0:
        try:
            bundle = read_inputs(wm_dir, level_lists)
        except (OSError, ValueError) as error:
            bundle = {"error": str(error)}
    bundle = comm.bcast(bundle, root=0)
    if "error" in bundle:
        raise ValueError(bundle["error"])
    if comm.Get_rank() == 0:
        return wm_dir, level_lists
    folder = Path(tempfile.mkdtemp(prefix="estool-inputs-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return write_inputs(bundle, folder, wm_dir, level_lists)
