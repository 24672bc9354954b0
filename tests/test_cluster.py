"""Past one machine: training across two "hosts" that share no disk.

The hosts are network namespaces made here (root and iproute2), each with its own address on a
bridge; MPICH's hydra starts one rank in each through a launcher that enters the namespace (as
`ssh` would enter another machine), and the ranks talk over TCP. The second host also gets an
empty folder mounted over the run's folder: it sees none of the run files nor the World Model
there, so whatever it needs must come from rank 0 over MPI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from helpers import ROOT, command_env, hist, train, write_airstriker_levels

pytestmark = [pytest.mark.mpi, pytest.mark.e2e]

SUBNET = "10.77.{}.{}"


def ip(*args: str, namespace: str | None = None) -> None:
    prefix = ["ip", "netns", "exec", namespace] if namespace else []
    subprocess.run([*prefix, "ip", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def hosts():
    """Two namespaces on a bridge: (launcher address, (host names))."""
    if os.geteuid() != 0 or shutil.which("ip") is None or shutil.which("unshare") is None:
        pytest.skip("network namespaces need root, iproute2 and unshare")
    tag = os.getpid() % 200 + 20  # a subnet and names of this test run's own
    bridge, names = f"estbr{tag}", (f"esth{tag}a", f"esth{tag}b")
    ip("link", "add", bridge, "type", "bridge")
    try:
        ip("addr", "add", SUBNET.format(tag, 1) + "/24", "dev", bridge)
        ip("link", "set", bridge, "up")
        for i, name in enumerate(names):
            ip("netns", "add", name)
            ip("link", "add", f"v{name}", "type", "veth", "peer", "name", "eth0", "netns", name)
            ip("link", "set", f"v{name}", "master", bridge)
            ip("link", "set", f"v{name}", "up")
            ip("addr", "add", SUBNET.format(tag, i + 2) + "/24", "dev", "eth0", namespace=name)
            ip("link", "set", "eth0", "up", namespace=name)
            ip("link", "set", "lo", "up", namespace=name)
        yield SUBNET.format(tag, 1), names
    finally:
        for name in names:
            subprocess.run(["ip", "netns", "delete", name], capture_output=True)
        subprocess.run(["ip", "link", "delete", bridge], capture_output=True)


def launcher(path, hidden, second: str) -> str:
    """hydra's `-launcher-exec`: called as `SCRIPT [ssh options] HOST COMMAND`, it runs COMMAND
    in namespace HOST; on `second`, under an empty read-only tmpfs mounted over `hidden`."""
    path.write_text(
        "#!/bin/sh\n"
        'while [ "${1#-}" != "$1" ]; do shift; done\n'
        "host=$1; shift\n"
        f'if [ "$host" = {second} ]; then\n'
        f'  exec ip netns exec "$host" unshare -m sh -c \\\n'
        f'    "mount -t tmpfs -o ro none {hidden} && $*"\n'
        "fi\n"
        'exec ip netns exec "$host" sh -c "$*"\n'
    )
    path.chmod(0o755)
    return str(path)


def on_two_hosts(hosts, folder, *args, timeout=600) -> subprocess.CompletedProcess:
    """`train.py ARGS` with one rank on each host; `folder` hidden from the second."""
    address, names = hosts
    script = launcher(folder.parent / f"{folder.name}.launch.sh", folder, names[1])
    mpiexec = shutil.which("mpiexec", path=os.path.dirname(sys.executable))
    cmd = [mpiexec, "-launcher", "ssh", "-launcher-exec", script, "-localhost", address,
           "-hosts", ",".join(names), "-n", "2", "-ppn", "1",
           sys.executable, str(ROOT / "train.py"), *map(str, args)]  # fmt: skip
    out = subprocess.run(
        cmd, capture_output=True, text=True, env=command_env(), cwd=ROOT, timeout=timeout
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out


def test_a_run_across_two_hosts_is_the_run_on_one(hosts, tmp_path):
    run = ["cartpole_swingup", "-n", "2", "-t", "4", "--max_generations", "3", "--eval_steps", "2"]
    cluster = tmp_path / "cluster"
    cluster.mkdir()
    on_two_hosts(hosts, cluster, *run, "--log_dir", cluster / "log")
    train(tmp_path / "one", *run)
    np.testing.assert_array_equal(hist(cluster / "log")[:, 2:], hist(tmp_path / "one")[:, 2:])


def test_world_model_weights_reach_a_host_without_them(hosts, tmp_path):
    from test_worldmodels import write_synthetic

    from estool.worldmodels.encode import encode
    from estool.worldmodels.store import ModelDir
    from estool.worldmodels.train_rnn import train_rnn
    from estool.worldmodels.train_vae import train_vae

    cluster = tmp_path / "cluster"
    store = ModelDir(cluster / "doom.wm")
    write_synthetic(store, episodes=4, length=12)
    train_vae(store, epochs=1, batch_size=16)
    encode(store)
    train_rnn(store, epochs=1, batch_size=4, length=8, min_episode=0)
    run = ["doom_dream", "--wm", store.path, "-n", "2", "-t", "2", "-e", "2",
           "--max_generations", "2"]  # fmt: skip
    out = on_two_hosts(hosts, cluster, *run, "--log_dir", cluster / "log")
    assert "rank 1: the run's input files came from rank 0" in out.stdout
    one = train(tmp_path / "one", *run)  # ranks that read the files themselves get no copy
    assert "input files came from rank 0" not in one.stdout
    np.testing.assert_array_equal(hist(cluster / "log")[:, 2:], hist(tmp_path / "one")[:, 2:])


def test_level_lists_and_their_states_reach_a_host_without_them(hosts, tmp_path):
    pytest.importorskip("stable_retro")
    cluster = tmp_path / "cluster"
    cluster.mkdir()
    training, held_out = write_airstriker_levels(cluster)
    # --row_seeds: the other host rebuilds the solutions from their seeds, over TCP
    run = ["airstriker", "-o", "openes", "--row_seeds", "-n", "2", "-t", "2",
           "--max_generations", "2", "--wrap", "early_stop:8:1e9", "--eval_steps", "1",
           "--num_eval_episode", "2", "--train_levels", training,
           "--test_levels", held_out]  # fmt: skip
    on_two_hosts(hosts, cluster, *run, "--log_dir", cluster / "log")
    train(tmp_path / "one", *run)
    np.testing.assert_array_equal(hist(cluster / "log")[:, 2:], hist(tmp_path / "one")[:, 2:])
