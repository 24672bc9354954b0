"""The Sonic World Model (seed `world-models-sonic.txt`): levels drawn by seed from a training or a
held-out list, early stopping for training only, recorded play (.bk2) as data, the rotating
buffer, the port's model sizes, and its controller trained over MPI. Without a Sonic ROM, every
path runs on Airstriker, which stable-retro ships, with the same code."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import ROOT, hist, one_error_line, run_command, train, write_airstriker_levels

pytest.importorskip("stable_retro")

from envs import make_env
from envs.levels import draw_level, read_levels
from envs.wrappers import apply_wrappers
from estool.worldmodels.designs import DESIGNS, SONIC_BUTTONS
from estool.worldmodels.rotation import Rotation

AIRSTRIKER = "Airstriker-Genesis-v0"
WM = "-m estool wm"
SMALL = dict(frame_skip=4, size=(32, 32), nearest=True, buttons=SONIC_BUTTONS)
# button rows the game gets as asked (it filters LEFT with RIGHT, so they are never together)
PRESSES = np.array([[1, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 1], [0, 0, 1, 0], [0, 0, 0, 0]])


@pytest.fixture(scope="module")
def level_lists(tmp_path_factory):
    """Five Airstriker save states a few seconds apart: three training levels, two held out."""
    return write_airstriker_levels(tmp_path_factory.mktemp("levels"))


class TestLevels:
    def test_the_contest_split_comes_with_the_package(self):
        import stable_retro.data

        sizes = {}
        for name, game in (("sonic", "SonicTheHedgehog-Genesis-v0"),
                           ("sonic2", "SonicTheHedgehog2-Genesis-v0"),
                           ("sonic3", "SonicAndKnuckles3-Genesis-v0")):  # fmt: skip
            training, held_out = read_levels(f"{name}.train"), read_levels(f"{name}.test")
            assert not set(training) & set(held_out)
            assert set(training) | set(held_out) == set(stable_retro.data.list_states(game))
            sizes[name] = (len(training), len(held_out))
        assert sizes == {"sonic": (13, 4), "sonic2": (15, 3), "sonic3": (19, 4)}
        assert "GreenHillZone.Act2" in read_levels("sonic.test")

    def test_the_draw_depends_on_the_seed_alone_and_covers_the_list(self):
        levels = read_levels("sonic.train")
        draws = [draw_level(seed, levels) for seed in range(200)]
        assert draws == [draw_level(seed, levels) for seed in range(200)]
        assert set(draws) == set(levels)

    def test_training_episodes_never_play_a_held_out_level(self, level_lists):
        training, held_out = level_lists
        seen = {}
        for _ in range(2):  # a fresh env draws the same levels from the same seeds
            env = make_env(AIRSTRIKER, **SMALL, levels=held_out, training_levels=training)
            trainer = apply_wrappers(env, ["training_levels"])
            try:
                for seed in range(12):
                    trained = trainer.reset(seed=seed)[1]["level"]
                    evaluated = env.reset(seed=seed)[1]["level"]
                    assert seen.setdefault(seed, (trained, evaluated)) == (trained, evaluated)
            finally:
                env.close()
        assert {t for t, _ in seen.values()} == set(read_levels(training))
        assert {e for _, e in seen.values()} == set(read_levels(held_out))

    def test_each_level_starts_from_its_own_state(self, level_lists):
        training, _ = level_lists
        env = make_env(AIRSTRIKER, **SMALL, levels=training)
        try:
            firsts = {}
            for seed in range(20):
                frame, info = env.reset(seed=seed)
                firsts.setdefault(info["level"], []).append(frame)
        finally:
            env.close()
        for frames in firsts.values():  # a level always starts alike...
            assert all(np.array_equal(frames[0], f) for f in frames)
        starts = [frames[0] for frames in firsts.values()]  # ...and unlike the others
        assert not any(np.array_equal(starts[0], s) for s in starts[1:])

    def test_collected_data_comes_from_the_training_levels(self, tmp_path, level_lists):
        from dataclasses import replace

        from envs.levels import state_bytes
        from estool.worldmodels.collect import collect
        from estool.worldmodels.store import ModelDir

        training, held_out = level_lists
        design = DESIGNS["airstriker"]
        kwargs = {**design.env.kwargs, "levels": held_out, "training_levels": training}
        design = replace(design, env=replace(design.env, kwargs=kwargs, max_episode_steps=2))
        env = design.env.make()
        try:
            starts = {
                level: env.reset(options={"state": state_bytes(AIRSTRIKER, level)})[0]
                for level in read_levels(training) + read_levels(held_out)
            }
        finally:
            env.close()
        store = ModelDir(tmp_path / "wm")
        collect(store, design, episodes=6)
        played = set()
        for index in store.episode_indices():
            first = store.read_episode(index, "frames")["frames"][0]
            played |= {level for level, frame in starts.items() if np.array_equal(frame, first)}
        assert played and played <= set(read_levels(training))

    def test_a_bad_list_is_one_line(self, tmp_path, level_lists):
        out = train(tmp_path, "airstriker_wm", "--train_levels", tmp_path / "nope.txt", check=False)
        one_error_line(out, "level list")
        empty = tmp_path / "empty.txt"
        empty.write_text("# nothing\n")
        out = train(tmp_path, "airstriker_wm", "--test_levels", empty, check=False)
        one_error_line(out, "names no level")
        out = train(tmp_path, "cartpole_swingup", "--train_levels", level_lists[0], check=False)
        one_error_line(out, "plays no level lists")


class TestEarlyStop:
    def test_it_stops_where_the_moving_mean_falls_to_the_threshold(self):
        env = apply_wrappers(make_env("CartPole-v1"), ["early_stop:5:1"])  # reward 1 a step
        env.reset(seed=0)
        ends = [env.step(0)[3] for _ in range(5)]
        assert ends == [False] * 4 + [True]
        env = apply_wrappers(make_env("CartPole-v1"), ["early_stop:5:0.99"])
        env.reset(seed=0)
        assert not any(env.step(0)[3] for _ in range(8))

    def test_only_training_episodes_stop_early(self):
        from estool.evaluation.local import PolicyEvaluator
        from estool.presets import preset_for

        preset = preset_for("CartPole-v1").with_training_wrappers(["early_stop:5:1"])
        evaluator = PolicyEvaluator(preset)
        params = np.full((1, evaluator.policy.param_count), 0.01)
        seeds = np.arange(6)[None]
        assert (evaluator.play(params, seeds, train=True)[1] == 5).all()
        assert (evaluator.play(params, seeds, train=False)[1] > 5).all()

    def test_train_py_takes_it_as_a_flag(self, tmp_path):
        out = train(tmp_path, "CartPole-v1", "--wrap", "early_stop:4:1", "-t", "4",
                    "--max_generations", "1")  # fmt: skip
        assert "early_stop:4:1" in json.dumps(json.loads(next(tmp_path.glob("*.config.json"))
                                                         .read_text()))  # fmt: skip
        assert hist(tmp_path)[0, 8] == 4  # every training episode: 4 steps (the steps column)
        out = train(tmp_path / "bad", "CartPole-v1", "--wrap", "early_stop:x", check=False)
        one_error_line(out, "must be numbers")


def record_movie(path, steps: int = 24):
    """Plays PRESSES in turn in the Airstriker design's env, recording a .bk2 at `path`:
    (frames (steps + 1, 128, 128, 3), actions (steps, 4))."""
    env = DESIGNS["airstriker"].env.make()
    game = env.unwrapped
    try:
        game.emulator.record_movie(str(path))
        frames = [env.reset(seed=0)[0]]
        actions = PRESSES[np.arange(steps) % len(PRESSES)]
        for action in actions:
            frames.append(env.step(action)[0])
        game.emulator.stop_record()
    finally:
        env.close()
    return np.stack(frames), actions.astype(np.float32)


class TestMovies:
    def test_a_recorded_movie_replays_to_the_same_frames(self, tmp_path):
        movies = tmp_path / "movies"
        movies.mkdir()
        frames, actions = record_movie(movies / "play.bk2")
        wm = tmp_path / "air.wm"
        run_command(WM, "collect", "airstriker", "--movies", movies, "--out", wm)
        from estool.worldmodels.store import ModelDir

        store = ModelDir(wm)
        episode = store.read_episode(0)
        np.testing.assert_array_equal(episode["frames"], frames)
        np.testing.assert_array_equal(episode["actions"], actions)
        assert str(episode["source"]) == "play.bk2"
        shard = store.episode_path(0).read_bytes()
        run_command(WM, "collect", "airstriker", "--movies", movies / "play.bk2", "--out", wm)
        assert store.episode_indices() == [0] and store.episode_path(0).read_bytes() == shard
        assert json.loads(store.manifest_file.read_text())["episodes"][0]["source"] == "play.bk2"

    def test_a_path_without_movies_is_one_line(self, tmp_path):
        out = run_command(WM, "collect", "airstriker", "--movies", tmp_path, "--out",
                          tmp_path / "wm", check=False)  # fmt: skip
        one_error_line(out, "no .bk2 movie")
        out = run_command(WM, "collect", "doom", "--movies", tmp_path, "--out", tmp_path / "d",
                          check=False)  # fmt: skip
        one_error_line(out, "not a retro game")


def test_without_the_sonic_rom_collect_is_one_line_and_writes_nothing(tmp_path):
    import stable_retro.data

    try:
        stable_retro.data.get_romfile_path("SonicTheHedgehog-Genesis-v0")
        pytest.skip("the Sonic ROM is imported here")
    except FileNotFoundError:
        pass
    out = run_command(WM, "collect", "sonic", "--episodes", "1", "--out", tmp_path / "s",
                      check=False)  # fmt: skip
    one_error_line(out, "python -m stable_retro.import")
    assert not (tmp_path / "s").exists()


class TestRotation:
    def test_each_rotation_replaces_its_fraction_and_all_get_their_turn(self):
        rotation = Rotation(pool=20, fraction=0.1, every=3, seed=4)
        episodes = range(100)
        sets = [set(rotation.members(episodes, epoch)) for epoch in range(150)]
        assert all(len(s) == 20 for s in sets)
        assert sets[0] == sets[1] == sets[2] != sets[3]
        assert all(len(a - b) == 2 for a, b in zip(sets[::3], sets[3::3], strict=False))
        assert set().union(*sets) == set(episodes)
        assert sets == [set(rotation.members(episodes, e)) for e in range(150)]

    def test_the_stream_reads_only_the_epochs_set(self, tmp_path):
        from estool.worldmodels.store import ModelDir
        from estool.worldmodels.stream import FrameStream

        store = ModelDir(tmp_path)
        for index in range(10):  # episode i's frames are all i
            store.write_episode(index, frames=np.full((3, 4, 4, 3), index, np.uint8))
        rotation = Rotation(pool=4, fraction=0.25, every=1)
        stream = FrameStream(store, {i: 3 for i in range(10)}, 2, 6, rotation=rotation)
        for epoch in range(3):
            seen = {int(v) for batch in stream.epoch(epoch) for v in np.unique(batch)}
            assert seen == set(rotation.members(range(10), epoch))


class TestSonicModels:
    def test_the_ports_sizes(self):
        import torch

        from estool.presets import PRESETS
        from models.controller import Controller
        from models.mdrnn import MDNRNN
        from models.registry import make_policy
        from models.vae import ConvVAE

        design = DESIGNS["sonic"]
        count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
        with torch.random.fork_rng():
            # beta-VAE at 128 px, z 200; M: 204 -> 1024 ReLU -> LSTM 1024 (two bias vectors a
            # gate) -> 8 Gaussians; C: [z, c, h] 2,248 -> 512 ReLU -> 4 sigmoids
            assert count(ConvVAE(**design.vae_args())) == 35_996_963
            assert count(MDNRNN(**design.rnn_args())) == 13_526_720
        assert Controller(**design.controller_args()).param_count == 1_153_540
        for name in ("sonic_wm", "sonic2_wm", "sonic3_wm", "airstriker_wm"):
            assert make_policy(PRESETS[name].policy).param_count == 1_153_540

    def test_they_train_a_few_steps(self):
        import torch

        from estool.worldmodels.fitting import seeded
        from models.mdrnn import MDNRNN, mdn_loss
        from models.vae import ConvVAE, frames_to_tensor, vae_loss

        design = DESIGNS["sonic"]
        rng = np.random.default_rng(0)
        x = frames_to_tensor(rng.integers(0, 256, (2, 128, 128, 3), dtype=np.uint8))
        vae = seeded(lambda: ConvVAE(**design.vae_args()), 0)
        optimizer = torch.optim.Adam(vae.parameters(), lr=design.vae_lr)
        losses = []
        for step in range(3):
            generator = torch.Generator().manual_seed(step)
            rebuilt, mu, logvar = vae(x, generator)
            loss = vae_loss(rebuilt, x, mu, logvar, design.kl_tolerance, design.beta, True)[0]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        assert rebuilt.shape == (2, 3, 128, 128) and mu.shape == (2, 200)
        assert np.isfinite(losses).all() and losses[-1] < losses[0]
        m = seeded(lambda: MDNRNN(**design.rnn_args()), 0)
        optimizer = torch.optim.Adam(m.parameters(), lr=design.rnn_lr)
        z = torch.randn(2, 9, 200, generator=torch.Generator().manual_seed(0))
        inputs = torch.cat([z[:, :-1], torch.ones(2, 8, 4)], -1)
        losses = []
        for _ in range(3):
            out, _ = m(inputs)
            loss = mdn_loss(out.logit_pi, out.mu, out.log_sigma, z[:, 1:])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        assert out.mu.shape == (2, 8, 8, 200) and losses[-1] < losses[0]


@pytest.fixture(scope="module")
def airstriker_wm(tmp_path_factory):
    """An Airstriker directory of the Sonic design, V and M trained a few batches."""
    wm = tmp_path_factory.mktemp("sonic") / "airstriker.wm"
    run_command(WM, "collect", "airstriker", "--episodes", "2", "--out", wm, "--max_steps", "8")
    run_command(WM, "train-vae", wm, "--epochs", "1", "--batch_size", "6", timeout=600)
    run_command(WM, "encode", wm)
    run_command(WM, "train-rnn", wm, "--epochs", "1", "--batch_size", "2", "--sequence_length",
                "4", "--min_episode", "0")  # fmt: skip
    return wm


def test_m_restarts_every_state_reset_steps_in_play(airstriker_wm):
    from dataclasses import replace

    from envs.world_model import WorldModelEnv

    env = WorldModelEnv("airstriker", str(airstriker_wm))
    env.design = replace(env.design, state_reset=3)
    try:
        env.reset(seed=0)
        states = []
        for _ in range(6):
            env.step(np.full(4, 0.7, np.float32))
            states.append(np.abs(env.h).sum())
    finally:
        env.close()
    assert [s == 0 for s in states] == [False, False, True, False, False, True]


@pytest.mark.mpi
def test_the_controller_history_is_the_same_on_one_and_two_ranks(airstriker_wm, tmp_path):
    histories = []
    for workers in ("1", "2"):
        log = tmp_path / workers
        # sep-CMA-ES: C has 1,153,540 parameters; training episodes stop after 6 steps
        train(log, "airstriker_wm", "--wm", airstriker_wm, "-o", "cma", "--diagonal", "-n",
              workers, "-t", "2", "--popsize", "4", "--max_generations", "2", "--wrap",
              "early_stop:6:1e9", "--eval_steps", "100", timeout=600)  # fmt: skip
        histories.append(hist(log))
    assert histories[0].shape[0] == 2 and (histories[0][:, 8] == 6).all()
    np.testing.assert_array_equal(histories[0][:, 2:], histories[1][:, 2:])  # not the clock
    out = run_command(str(ROOT / "model.py"), "airstriker_wm", log / "airstriker_wm.cma.1.4.json",
                      "--wm", airstriker_wm, "--norender", "-e", "1", "--max_len", "5")  # fmt: skip
    assert "5 steps" in out.stdout


def test_full_covariance_on_a_million_parameters_is_refused(tmp_path, airstriker_wm):
    out = train(tmp_path, "airstriker_wm", "--wm", airstriker_wm, "-o", "cma", check=False)
    one_error_line(out, "add --diagonal")
