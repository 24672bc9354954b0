"""World Models: V, M and C, the data shards and their stream, resumable training, the dream.

Unit tests run on a small synthetic Doom-design directory (a bright square moving over a dark
frame, some episodes ending in death); the end-to-end test runs the whole pipeline on real
ViZDoom episodes.
"""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from helpers import (
    ROOT,
    assert_episodes_do_not_depend_on_the_ones_before,
    command_env,
    hist,
    one_error_line,
    run_command,
    train,
)

torch = pytest.importorskip("torch")

from envs import make_env  # noqa: E402
from envs.dream import DreamEnv, DreamVector  # noqa: E402
from estool.worldmodels.designs import DESIGNS, doom_m_action  # noqa: E402
from estool.worldmodels.encode import encode  # noqa: E402
from estool.worldmodels.store import ModelDir  # noqa: E402
from estool.worldmodels.stream import FrameStream  # noqa: E402
from estool.worldmodels.train_rnn import train_rnn  # noqa: E402
from estool.worldmodels.train_vae import train_vae  # noqa: E402
from models.controller import Controller  # noqa: E402
from models.latent_dynamics import LatentDynamics  # noqa: E402
from models.mdrnn import MDNRNN, mdn_loss  # noqa: E402
from models.vae import ConvVAE, frames_to_tensor, vae_loss  # noqa: E402

WM = "-m estool wm"


def count(model) -> int:
    return sum(p.numel() for p in model.parameters())


def square_frames(rng, length: int, size: int = 64) -> np.ndarray:
    """(length, size, size, 3) uint8: a bright square drifting over a dark background."""
    frames = np.full((length, size, size, 3), 20, np.uint8)
    x, y = rng.integers(0, size - 12, 2)
    for t in range(length):
        x = int(np.clip(x + rng.integers(-3, 4), 0, size - 12))
        frames[t, y : y + 12, x : x + 12] = (230, 180, 40)
    return frames


def write_synthetic(store: ModelDir, episodes: int, length: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    store.claim(DESIGNS["doom"])
    for index in range(episodes):
        steps = int(length + rng.integers(-length // 3, length // 3 + 1))
        store.write_episode(
            index,
            frames=square_frames(rng, steps + 1),
            actions=doom_m_action(rng.uniform(-1, 1, (steps, 1))),
            rewards=np.ones(steps, np.float32),
            terminated=np.asarray(index % 2 == 0),
            seed=np.asarray(index),
        )
    store.write_manifest()


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> ModelDir:
    """A Doom-design directory with V, series and M trained for a few batches."""
    store = ModelDir(tmp_path_factory.mktemp("wm") / "doom.wm")
    write_synthetic(store, episodes=6, length=16)
    train_vae(store, epochs=1, batch_size=16)
    encode(store)
    train_rnn(store, epochs=1, batch_size=4, length=12, min_episode=0)
    return store


class TestParameterCounts:
    """WORLDMODELS.md's counts. PyTorch's nn.LSTM has two bias vectors (b_ih, b_hh) where the
    paper's TensorFlow LSTM has one: M counts 4 * hidden more here."""

    def test_v(self):
        assert count(ConvVAE(32, 64)) == 4_348_547
        assert count(ConvVAE(64, 64)) == 4_446_915
        assert count(ConvVAE(200, 128)) == 35_996_963

    def test_m(self):
        car = MDNRNN(32, 3, 256, 5)
        doom = MDNRNN(64, 1, 512, 5, restart_input=True, done_head=True)
        assert count(car) == 423_392 and count(car) - 4 * 256 == 422_368
        assert count(doom) == 1_680_833 and count(doom) - 4 * 512 == 1_678_785
        assert doom.input_size == 66 and doom.head.out_features == 961
        assert count(MDNRNN(200, 1, 1024, 8, input_hidden=1024)) == 13_523_648

    def test_c(self):
        assert Controller(32 + 256, 3).param_count == 867
        assert Controller(64 + 512 + 512, 1, bias=False).param_count == 1088
        assert Controller(200 + 1024 + 1024, 4, bias=False).param_count == 8992
        assert Controller(288, 3, hidden=40).param_count == 288 * 40 + 40 + 40 * 3 + 3

    def test_presets_have_the_designs_controllers(self):
        from estool.presets import PRESETS
        from models.registry import make_policy

        sizes = {name: make_policy(PRESETS[name].policy).param_count for name in PRESETS}
        assert sizes["doom_dream"] == sizes["doom_real"] == 1088
        assert sizes["carracing_wm"] == 867


def test_twenty_v_steps_lower_the_loss():
    rng = np.random.default_rng(0)
    x = frames_to_tensor(np.concatenate([square_frames(rng, 4) for _ in range(2)]))
    model = ConvVAE(32, 64)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(0)
    losses = []
    for _ in range(20):
        reconstruction, mu, logvar = model(x, generator)
        loss, _, _ = vae_loss(reconstruction, x, mu, logvar)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    assert losses[-1] < 0.5 * losses[0]


def test_beta_vae_loss_is_bce_plus_beta_kl():
    x = torch.rand(2, 3, 8, 8)
    rebuilt = torch.rand(2, 3, 8, 8).clamp(0.01, 0.99)
    mu, logvar = torch.randn(2, 5), torch.randn(2, 5)
    loss, bce, kl = vae_loss(rebuilt, x, mu, logvar, kl_tolerance=0.0, beta=4.0, bce=True)
    expected_bce = torch.nn.functional.binary_cross_entropy(rebuilt, x, reduction="sum") / 2
    torch.testing.assert_close(bce, expected_bce)
    torch.testing.assert_close(loss, bce + 4.0 * kl)


class TestMDN:
    def test_loss_is_finite_far_from_every_component_and_falls(self):
        model = MDNRNN(4, 1, 16, 3)
        out, _ = model(torch.zeros(2, 5, 5))
        far = torch.full((2, 5, 4), 1e4)
        assert torch.isfinite(mdn_loss(out.logit_pi, out.mu, out.log_sigma, far))
        t = torch.linspace(0, 6, 21)
        z = torch.stack([torch.sin(t + k) for k in range(4)], -1)[None]  # (1, 21, 4)
        inputs = torch.cat([z[:, :-1], torch.zeros(1, 20, 1)], -1)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        losses = []
        for _ in range(60):
            out, _ = model(inputs)
            loss = mdn_loss(out.logit_pi, out.mu, out.log_sigma, z[:, 1:])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss))
        assert all(np.isfinite(losses)) and losses[-1] < losses[0] - 1.0

    def test_done_and_reward_heads_follow_the_mixture(self):
        model = MDNRNN(4, 1, 8, 2, done_head=True, reward_head=True)
        assert model.head.out_features == 3 * 2 * 4 + 2
        out, _ = model(torch.zeros(3, 7, 5))
        assert out.mu.shape == (3, 7, 2, 4)
        assert out.done_logit.shape == out.reward.shape == (3, 7)
        head = model.head(model.lstm(torch.zeros(3, 7, 5))[0])
        torch.testing.assert_close(out.reward, head[..., -1])
        torch.testing.assert_close(out.done_logit, head[..., -2])

    def test_sampling_near_temperature_zero_returns_the_mode(self):
        rng = np.random.default_rng(1)
        logits, mu, log_sigma = (rng.standard_normal((3, 5, 4)).astype(np.float32) for _ in "abc")
        z = LatentDynamics.sample(
            logits, mu, log_sigma, 1e-9, rng.random((3, 4), np.float32),
            rng.standard_normal((3, 4), np.float32),
        )  # fmt: skip
        mode = np.take_along_axis(mu, logits.argmax(1)[:, None, :], 1)[:, 0]
        np.testing.assert_allclose(z, mode, atol=1e-3)

    def test_numpy_step_is_torchs_and_each_row_is_as_alone(self):
        model = MDNRNN(6, 1, 32, 3, restart_input=True, done_head=True)
        dynamics = LatentDynamics(model.export(), 6, 3, done_head=True, restart_input=True)
        rng = np.random.default_rng(2)
        z = rng.standard_normal((5, 6)).astype(np.float32)
        a = rng.uniform(-1, 1, (5, 1)).astype(np.float32)
        first = np.array([1, 0, 1, 0, 0], np.float32)
        h, c = (rng.standard_normal((5, 32)).astype(np.float32) for _ in "hc")
        h2, c2, head = dynamics.step(z, a, first, h, c)
        with torch.no_grad():
            x = torch.as_tensor(np.concatenate([z, a, first[:, None]], 1))[:, None]
            out, (th, tc) = model.lstm(x, (torch.as_tensor(h)[None], torch.as_tensor(c)[None]))
            np.testing.assert_allclose(h2, th[0].numpy(), atol=1e-5)
            np.testing.assert_allclose(c2, tc[0].numpy(), atol=1e-5)
            np.testing.assert_allclose(head, model.head(out[:, 0]).numpy(), atol=1e-5)
        for row in range(5):
            one = dynamics.step(z[row : row + 1], a[row : row + 1], first[row : row + 1],
                                h[row : row + 1], c[row : row + 1])  # fmt: skip
            for alone, batched in zip(one, (h2, c2, head), strict=True):
                np.testing.assert_array_equal(alone[0], batched[row])


class TestShards:
    def test_an_episode_round_trips_and_the_manifest_lists_it(self, tmp_path):
        store = ModelDir(tmp_path)
        write_synthetic(store, episodes=3, length=9)
        manifest = json.loads(store.manifest_file.read_text())
        assert [e["index"] for e in manifest["episodes"]] == [0, 1, 2]
        episode = store.read_episode(1)
        assert episode["frames"].dtype == np.uint8 and episode["frames"].shape[1:] == (64, 64, 3)
        assert (
            len(episode["frames"])
            == len(episode["actions"]) + 1
            == manifest["episodes"][1]["frames"]
        )
        assert manifest["frames"] == sum(len(store.read_episode(i)["frames"]) for i in range(3))
        with pytest.raises(ValueError, match="holds 'doom'"):
            store.claim(DESIGNS["carracing"])

    def test_the_stream_hands_out_every_frame_once_an_epoch(self, tmp_path):
        store = ModelDir(tmp_path)
        store.claim(DESIGNS["doom"])
        lengths = [13, 40, 7, 25, 31, 3, 18]
        ids = iter(range(10_000))
        for index, length in enumerate(lengths):
            frames = np.zeros((length, 4, 4, 3), np.uint8)
            for frame in frames:
                frame[0, 0, :2] = divmod(next(ids), 256)
            store.write_episode(index, frames=frames, rewards=np.zeros(length - 1),
                                terminated=np.asarray(False), seed=np.asarray(index))  # fmt: skip
        stream = FrameStream(store, dict(enumerate(lengths)), batch_size=8, buffer_frames=24)
        batches = list(stream.epoch(0))
        assert len(batches) == stream.batches_per_epoch() == -(-sum(lengths) // 8)
        seen = np.concatenate([b[:, 0, 0, 0].astype(int) * 256 + b[:, 0, 0, 1] for b in batches])
        assert sorted(seen.tolist()) == list(range(sum(lengths)))
        again = list(stream.epoch(0))
        assert all(np.array_equal(a, b) for a, b in zip(batches, again, strict=True))
        later = list(stream.epoch(0, skip=5))
        assert all(np.array_equal(a, b) for a, b in zip(batches[5:], later, strict=True))
        assert not all(np.array_equal(a, b) for a, b in zip(batches, stream.epoch(1), strict=False))

    def test_streaming_memory_stays_bounded(self, tmp_path):
        """About 300 MB of frames through a 1,000-frame buffer (12 MB): the peak RSS grows by
        far less than the data."""
        store = ModelDir(tmp_path)
        store.claim(DESIGNS["doom"])
        length = 400
        for index in range(60):  # 24,000 frames of 12,288 bytes: 295 MB decoded
            frames = np.zeros((length, 64, 64, 3), np.uint8)
            frames[:, 0, 0, 0] = index
            store.write_episode(index, frames=frames, rewards=np.zeros(length - 1),
                                terminated=np.asarray(False), seed=np.asarray(index))  # fmt: skip
        script = textwrap.dedent(f"""
            import resource
            from estool.worldmodels.store import ModelDir
            from estool.worldmodels.stream import FrameStream
            store = ModelDir({str(tmp_path)!r})
            stream = FrameStream(store, {{i: {length} for i in range(60)}}, 100, 1000)
            store.read_episode(0)  # numpy's and zlib's own buffers, once
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            frames = sum(len(batch) for batch in stream.epoch(0))
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(frames, (after - before) // 1024)
        """)
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             env=command_env(), check=True)  # fmt: skip
        frames, grown_mb = map(int, out.stdout.split())
        assert frames == 24_000
        # the bound: buffer 1,000 + an episode 400 + a batch 100 frames = 18 MB, plus slack
        assert grown_mb < 60, f"peak RSS grew by {grown_mb} MB streaming 295 MB"


class TestResume:
    def test_v_resumes_exactly_after_a_kill(self, tmp_path):
        straight, killed = ModelDir(tmp_path / "a"), ModelDir(tmp_path / "b")
        for store in (straight, killed):
            write_synthetic(store, episodes=3, length=12)
        train_vae(straight, epochs=2, batch_size=16, checkpoint_seconds=1e9)
        stopped = train_vae(killed, epochs=2, batch_size=16, max_batches=4)
        assert (stopped.epoch, stopped.batch) == (1, 1)  # mid-epoch: 3 batches an epoch
        train_vae(killed, epochs=2, batch_size=16)
        a, b = (torch.load(s.vae_file, weights_only=True) for s in (straight, killed))
        assert a["model"].keys() == b["model"].keys()
        for key in a["model"]:
            torch.testing.assert_close(a["model"][key], b["model"][key], rtol=0, atol=0)

    def test_m_resumes_exactly_after_a_kill(self, trained, tmp_path):
        import shutil

        copies = []
        for name in ("a", "b"):
            shutil.copytree(trained.path, tmp_path / name)
            copy = ModelDir(tmp_path / name)
            copy.rnn_checkpoint.unlink()
            copies.append(copy)
        straight, killed = copies
        args = dict(batch_size=4, length=6, min_episode=0)
        train_rnn(straight, epochs=2, checkpoint_seconds=1e9, **args)
        train_rnn(killed, epochs=2, max_batches=3, **args)
        train_rnn(killed, epochs=2, **args)
        a, b = (np.load(s.dream_file) for s in (straight, killed))
        for key in a.files:
            np.testing.assert_array_equal(a[key], b[key])

    def test_another_rate_is_another_model(self, tmp_path):
        store = ModelDir(tmp_path / "a")
        write_synthetic(store, episodes=3, length=12)
        train_vae(store, epochs=1, batch_size=16, max_batches=1)  # the design's rate
        with pytest.raises(ValueError, match=r"'lr': 0\.001"):  # not resumed at another rate
            train_vae(store, epochs=1, batch_size=16, lr=1e-3)
        train_vae(store, epochs=1, batch_size=16, lr=store.design().vae_lr)  # the same run
        assert torch.load(store.vae_file, weights_only=True)["epochs"] == 1

    def test_the_rate_reaches_the_optimizer(self, trained, tmp_path):
        import shutil

        trained_at = {}
        for lr in (1e-3, 1e-2):
            shutil.copytree(trained.path, tmp_path / str(lr))
            copy = ModelDir(tmp_path / str(lr))
            copy.rnn_checkpoint.unlink()
            train_rnn(copy, epochs=1, batch_size=4, length=6, min_episode=0, max_batches=1, lr=lr)
            saved = torch.load(copy.rnn_checkpoint, weights_only=True)
            trained_at[lr] = saved["optimizer"]["param_groups"][0]["lr"]
            assert saved["identity"].get("lr") == (None if lr == 1e-3 else lr)
        assert trained_at[1e-2] == pytest.approx(10 * trained_at[1e-3])

    def test_a_checkpoint_of_another_model_is_refused(self, trained):
        with pytest.raises(ValueError, match="checkpoint of another"):
            train_rnn(trained, epochs=2, batch_size=8, length=12, min_episode=0)


class TestDream:
    def test_passes_check_env_and_renders_through_v(self, trained):
        env = DreamEnv("doom", str(trained.path), render_mode="rgb_array")
        check_env(env, skip_render_check=True)
        obs, _ = env.reset(seed=3)
        assert obs.shape == (64 + 512 + 512,) and obs.dtype == np.float32
        frame = env.render()
        assert frame.shape == (64, 64, 3) and frame.dtype == np.uint8

    def test_the_real_env_through_v_and_m_passes_check_env(self, trained):
        pytest.importorskip("vizdoom")
        env = make_env("WorldModel-v0", design="doom", wm_dir=str(trained.path),
                       render_mode="rgb_array")  # fmt: skip
        check_env(env, skip_render_check=True)  # the wrapper itself: its spaces are C's
        obs, _ = env.reset(seed=0)
        assert obs.shape == (64 + 512 + 512,) and env.render().shape == (120, 160, 3)
        env.close()

    def test_an_episode_depends_on_its_seed_only(self, trained):
        vector = DreamVector("doom", str(trained.path), max_steps=30)
        seeds = np.array([5, 9, 5, 11, 2])
        obs = vector.reset(seeds)
        actions = np.array([[-0.8], [0.5], [-0.8], [0.9], [0.0]])  # rows 0 and 2: one episode
        batched = [obs]
        for _ in range(20):
            obs = vector.step(actions)[0]
            batched.append(obs)
        for row in (0, 3):
            alone = DreamVector("doom", str(trained.path), max_steps=30)
            trace = [alone.reset(seeds[row : row + 1])]
            for _ in range(20):
                trace.append(alone.step(actions[row : row + 1])[0])
            for t, (a, b) in enumerate(zip(trace, batched, strict=True)):
                np.testing.assert_array_equal(a[0], b[row], err_msg=f"step {t}")
        np.testing.assert_array_equal(batched[-1][0], batched[-1][2])  # the same seed
        assert not np.array_equal(batched[-1][0], batched[-1][1])

    def test_deaths_come_at_the_rate_m_believes(self, trained):
        # a done head that says "death with probability 0.2" on every step, whatever z and h
        rate, rows = 0.2, 4000
        ends = {}
        for death in ("sample", "threshold"):
            vector = DreamVector("doom", str(trained.path), death=death)
            dynamics, column = vector.dynamics, vector.dynamics.mixture_size
            dynamics.head_w = dynamics.head_w.copy()
            dynamics.head_w[:, column] = 0.0
            dynamics.head_b = dynamics.head_b.copy()
            weight = vector.design.done_weight  # the head learnt deaths weighted this much
            dynamics.head_b[column] = np.log(weight) + np.log(rate / (1 - rate))
            vector.reset(np.arange(rows))
            ends[death] = vector.step(np.zeros((rows, 1)))[2].mean()
        assert abs(ends["sample"] - rate) < 0.03
        assert ends["threshold"] == 1.0  # its raw probability, 0.71, passes 0.5

    def test_an_unknown_death_rule_is_refused(self, trained):
        with pytest.raises(ValueError, match="death='sometimes'"):
            DreamVector("doom", str(trained.path), death="sometimes")

    def test_temperature_changes_the_dream(self, trained):
        runs = []
        for temperature in (0.5, 1.5):
            vector = DreamVector("doom", str(trained.path), temperature=temperature)
            vector.reset(np.array([1]))
            runs.append([vector.step(np.zeros((1, 1)))[0] for _ in range(5)][-1])
        assert not np.array_equal(*runs)


@pytest.mark.parametrize("name", ["doom_dream", "doom_real"])
def test_an_episode_does_not_depend_on_the_episodes_before_it(trained, name):
    if name == "doom_real":
        pytest.importorskip("vizdoom")
    from estool.presets import PRESETS

    assert_episodes_do_not_depend_on_the_ones_before(PRESETS[name].with_world_model(trained.path))


class TestErrors:
    def test_missing_model_directory(self, tmp_path):
        out = train(tmp_path, "doom_dream", "--wm", tmp_path / "none", "--max_generations", "1",
                    check=False)  # fmt: skip
        one_error_line(out, "no World Models directory")

    def test_a_directory_of_another_design(self, trained, tmp_path):
        out = train(tmp_path, "carracing_wm", "--wm", trained.path, check=False)
        one_error_line(out, "holds 'doom' models")

    def test_steps_out_of_order(self, tmp_path):
        one_error_line(run_command(WM, "train-vae", tmp_path, check=False), "not a World Models")
        store = ModelDir(tmp_path / "d")
        write_synthetic(store, episodes=2, length=5)
        one_error_line(run_command(WM, "encode", store.path, check=False), "train-vae")

    def test_an_m_of_another_v_is_refused(self, trained, tmp_path):
        import shutil

        shutil.copytree(trained.path, tmp_path / "d")
        store = ModelDir(tmp_path / "d")
        saved = torch.load(store.vae_file, weights_only=True)
        first = next(iter(saved["model"]))
        saved["model"][first] = saved["model"][first] + 1e-3  # V trained further
        torch.save(saved, store.vae_file)
        with pytest.raises(ValueError, match="M was trained on another V"):
            DreamVector("doom", str(store.path))

    def test_a_held_fraction_out_of_range(self, tmp_path):
        out = run_command(WM, "collect", "doom", "--episodes", "1", "--out", tmp_path / "d",
                          "--held", "1.5", check=False)  # fmt: skip
        one_error_line(out, "--held 1.5: give a fraction")
        assert not (tmp_path / "d").exists()

    def test_a_rate_that_is_not_positive(self, tmp_path):
        out = run_command(WM, "train-rnn", tmp_path, "--lr", "0", check=False)
        one_error_line(out, "--lr 0.0: must be > 0")

    def test_dream_needs_a_world_models_game(self, tmp_path):
        (tmp_path / "p.json").write_text(json.dumps([[0.0] * 5, 0.0]))
        out = run_command(str(ROOT / "model.py"), "CartPole-v1", tmp_path / "p.json", "--dream",
                          check=False)  # fmt: skip
        one_error_line(out, "has no dream")

    def test_the_project_imports_without_torch(self):
        script = (
            "import sys; sys.modules['torch'] = None\n"
            "import estool.presets, envs, models.registry, envs.dream\n"
            "from estool.presets import preset_for; preset_for('doom_dream')\n"
        )
        subprocess.run([sys.executable, "-c", script], check=True, env=command_env())


def test_held_episodes_are_drawn_apart_from_the_others():
    from estool.worldmodels.collect import is_held

    chosen = [index for index in range(2000) if is_held(7, index, 0.2)]
    assert 340 < len(chosen) < 460
    assert set(chosen) <= {index for index in range(2000) if is_held(7, index, 0.5)}
    assert not any(is_held(7, index, 0.0) for index in range(2000))


@pytest.mark.e2e
def test_carracing_plays_with_v_and_m_in_the_loop(tmp_path):
    pytest.importorskip("Box2D")
    wm = tmp_path / "carracing.wm"
    run_command(WM, "collect", "carracing", "--episodes", "2", "--out", wm, "--max_steps", "15")
    run_command(WM, "train-vae", wm, "--epochs", "1", "--batch_size", "16")
    run_command(WM, "encode", wm)
    run_command(WM, "train-rnn", wm, "--epochs", "1", "--batch_size", "2", "--sequence_length",
                "8")  # fmt: skip
    params = tmp_path / "c.json"
    params.write_text(json.dumps([np.linspace(-1, 1, 867).tolist()]))
    out = run_command(str(ROOT / "model.py"), "carracing_wm", params, "--wm", wm, "--norender",
                      "-e", "1", "--max_len", "20")  # fmt: skip
    assert "20 steps" in out.stdout


@pytest.mark.mpi
def test_doom_dream_history_is_the_same_on_one_and_two_ranks(trained, tmp_path):
    histories = []
    for workers in ("1", "2"):
        log = tmp_path / workers
        train(log, "doom_dream", "--wm", trained.path, "-n", workers, "-t", "2", "--popsize",
              "4", "-e", "2", "--max_generations", "3", timeout=600)  # fmt: skip
        histories.append(hist(log))
    np.testing.assert_array_equal(histories[0][:, 2:], histories[1][:, 2:])  # not the clock


@pytest.mark.mpi
@pytest.mark.e2e
def test_the_pipeline_end_to_end_on_vizdoom(tmp_path):
    pytest.importorskip("vizdoom")
    wm = tmp_path / "doom.wm"
    run_command(WM, "collect", "doom", "--episodes", "8", "-n", "2", "--out", wm,
                "--max_steps", "40", timeout=600)  # fmt: skip
    store = ModelDir(wm)
    manifest = json.loads(store.manifest_file.read_text())
    assert len(manifest["episodes"]) == 8 and manifest["frames"] >= 8 * 10
    shard = store.episode_path(0).read_bytes()
    run_command(WM, "collect", "doom", "--episodes", "9", "--out", wm, "--max_steps", "40",
                "--held", "1")  # fmt: skip
    assert store.episode_path(0).read_bytes() == shard and len(store.episode_indices()) == 9
    assert np.unique(store.read_episode(8)["actions"]).size == 1  # one move throughout
    assert np.unique(store.read_episode(0)["actions"]).size > 1
    run_command(WM, "train-vae", wm, "--epochs", "1", "--batch_size", "32", timeout=600)
    assert store.vae_png.stat().st_size > 0
    run_command(WM, "encode", wm)
    run_command(WM, "train-rnn", wm, "--epochs", "1", "--batch_size", "4",
                "--sequence_length", "16", "--min_episode", "0")  # fmt: skip
    log = tmp_path / "log"
    train(log, "doom_dream", "--wm", wm, "-n", "2", "-t", "2", "-e", "1", "--eval_steps", "2",
          "--num_eval_episode", "2", "--max_generations", "2", timeout=600)  # fmt: skip
    config = json.loads(next(log.glob("*.config.json")).read_text())
    assert config["wm"] == str(wm)
    best = next(log.glob("*.best.json"))
    out = run_command(str(ROOT / "model.py"), "doom_real", best, "--wm", wm, "--norender",
                      "-e", "2", "-n", "2", "--max_len", "100")  # fmt: skip
    assert "over 2 episodes" in out.stdout
    gif = tmp_path / "dream.gif"
    run_command(str(ROOT / "model.py"), "doom_real", best, "--wm", wm, "--dream", "--record",
                gif, "--max_len", "10")  # fmt: skip
    assert gif.stat().st_size > 0
    real = tmp_path / "real.gif"
    run_command(str(ROOT / "model.py"), "doom_real", best, "--wm", wm, "--record", real,
                "--max_len", "10")  # fmt: skip
    assert real.stat().st_size > 0
    again = ModelDir(tmp_path / "again.wm")  # the paper's iterative procedure: C collects
    run_command(WM, "collect", "doom", "--episodes", "1", "--out", again.path, "--policy", best,
                "--wm", wm, "--max_steps", "20")  # fmt: skip
    assert again.read_episode(0)["frames"].shape == (21, 64, 64, 3)
