"""The files a run's rollouts read, sent by rank 0 to the other ranks: a cluster's hosts need not
share a disk.

A worker needs nothing but the installed package and what the command line names: the World
Model's directory (`--wm`) and level lists (`--train_levels`, `--test_levels`, and the `.state`
files they name). At start-up, rank 0 reads them and broadcasts their digests; a rank that reads
the same files at the same paths (the same machine, a shared disk) uses them, and the others are
sent the bytes, write them into a private temporary folder and play from their copy (removed at
exit): no host needs a copy of V and M per rank. Only rank 0 reads and writes the run's own files
(checkpoints, logs).
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
from pathlib import Path

from estool.evaluation.launch import mpi_size
from estool.log import logger

INPUTS = 7  # the message tag of the files (apart from the rollout protocol's, `mpi.py`)
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


def digests(bundle: dict, wm_dir: str | None, level_lists: dict) -> dict[str, str]:
    """{path as rank 0 names it: sha256} of every file in `bundle`."""
    found = {}
    if bundle["wm"] is not None:
        for name, data in bundle["wm"].items():
            found[str(Path(wm_dir) / name)] = hashlib.sha256(data).hexdigest()
    for role, (_, states) in bundle["lists"].items():
        found[str(level_lists[role])] = hashlib.sha256(
            Path(level_lists[role]).read_bytes()
        ).hexdigest()
        for path, data in states.items():
            found[path] = hashlib.sha256(data).hexdigest()
    return found


def have_locally(expected: dict[str, str]) -> bool:
    """Whether this host reads every file of `expected` ({path: sha256}) as rank 0 does (a
    shared disk, or the same machine)."""
    for path, digest in expected.items():
        try:
            if hashlib.sha256(Path(path).read_bytes()).hexdigest() != digest:
                return False
        except OSError:
            return False
    return True


def share_inputs(wm_dir: str | None, level_lists: dict[str, str | None]) -> tuple:
    """(wm_dir, level_lists) as this rank should read them: rank 0's own paths on rank 0, outside
    MPI, and on ranks that read the same files (same machine, shared disk); elsewhere, copies of
    rank 0's files received over MPI, in a private temporary folder. Only ranks that lack them
    are sent the files; an error reading them is raised on every rank."""
    if mpi_size() == 1:
        return wm_dir, level_lists
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    rank, bundle, expected = comm.Get_rank(), None, None
    if rank == 0:
        try:
            bundle = read_inputs(wm_dir, level_lists)
            expected = digests(bundle, wm_dir, level_lists)
        except (OSError, ValueError) as error:
            expected = {"error": str(error)}
    expected = comm.bcast(expected, root=0)
    if "error" in expected:
        raise ValueError(expected["error"])
    need = rank != 0 and not have_locally(expected)
    needs = comm.gather(need, root=0)
    if rank == 0:
        for worker, need in enumerate(needs):
            if need:
                comm.send(bundle, dest=worker, tag=INPUTS)
        return wm_dir, level_lists
    if not need:
        return wm_dir, level_lists
    bundle = comm.recv(source=0, tag=INPUTS)
    size = sum(map(len, (bundle["wm"] or {}).values()))
    size += sum(len(data) for _, states in bundle["lists"].values() for data in states.values())
    logger.info("rank %d: the run's input files came from rank 0 (%.1f MB)", rank, size / 1e6)
    folder = Path(tempfile.mkdtemp(prefix="estool-inputs-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return write_inputs(bundle, folder, wm_dir, level_lists)
