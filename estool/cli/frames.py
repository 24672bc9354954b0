"""Where rendered frames go: a video file (`.mp4` by ffmpeg, `.gif` by Pillow) or a window.

Frames are (height, width, 3) uint8 arrays from `env.render()` with `render_mode="rgb_array"`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from estool.fileio import temp_file_beside

VIDEO_SUFFIXES = (".mp4", ".gif")


def has_display() -> bool:
    """True when a window can open: a desktop OS, or X11/Wayland with a real SDL driver."""
    if os.environ.get("SDL_VIDEODRIVER") in ("dummy", "offscreen"):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class VideoRecorder:
    """Collects frames and writes `path` atomically on `close()` (a failed run leaves no file).

    `.mp4` streams to ffmpeg (frames padded to even sizes for yuv420p); `.gif` keeps the frames
    in memory until `close()`, so prefer `.mp4` for long recordings.
    """

    def __init__(self, path: str | Path, fps: float):
        self.path = Path(path)
        if self.path.suffix not in VIDEO_SUFFIXES:
            raise ValueError(f"--record {self.path}: use a .mp4 or .gif file name")
        fd, tmp = temp_file_beside(self.path, self.path.suffix)  # the suffix picks the encoder
        os.close(fd)
        self.tmp, self.fps = Path(tmp), fps
        self.frames: list[np.ndarray] = []
        self.encoder = None
        self.count = 0
        try:  # fail before the episodes, not after
            if self.path.suffix == ".gif":
                import PIL.Image  # noqa: F401
            else:
                import imageio_ffmpeg  # noqa: F401
        except ImportError:
            self.tmp.unlink(missing_ok=True)
            raise ImportError(
                f"--record {self.path.suffix} needs the video extra: "
                "pip install imageio-ffmpeg pillow"
            ) from None

    def add(self, frame: np.ndarray) -> None:
        frame = np.ascontiguousarray(frame, dtype=np.uint8)
        if self.path.suffix == ".gif":
            self.frames.append(frame)
        else:
            if self.encoder is None:
                self.encoder = self._start_ffmpeg(frame.shape)
            height, width = self.size
            padded = np.zeros((height, width, 3), dtype=np.uint8)
            padded[: frame.shape[0], : frame.shape[1]] = frame
            self.encoder.send(padded)
        self.count += 1

    def _start_ffmpeg(self, shape):
        import imageio_ffmpeg

        self.size = (shape[0] + shape[0] % 2, shape[1] + shape[1] % 2)
        encoder = imageio_ffmpeg.write_frames(
            str(self.tmp),
            (self.size[1], self.size[0]),
            fps=self.fps,
            codec="libx264",
            macro_block_size=1,
            ffmpeg_log_level="error",
        )
        encoder.send(None)  # start the generator
        return encoder

    def close(self) -> None:
        """Finish the file and move it into place; with no frames, write nothing."""
        try:
            if self.encoder is not None:
                self.encoder.close()
            elif self.frames:
                self._write_gif()
            if self.count:
                os.replace(self.tmp, self.path)
        finally:
            self.tmp.unlink(missing_ok=True)

    def discard(self) -> None:
        if self.encoder is not None:
            self.encoder.close()
        self.tmp.unlink(missing_ok=True)

    def _write_gif(self) -> None:
        from PIL import Image

        first, *rest = (Image.fromarray(frame) for frame in self.frames)
        duration = max(round(1000 / self.fps), 20)  # ms; browsers floor faster GIFs
        first.save(self.tmp, save_all=True, append_images=rest, duration=duration, loop=0)


class Window:
    """Shows frames in a pygame window at `fps`; `closed` turns true when the user closes it."""

    def __init__(self, title: str, fps: float):
        try:
            import pygame
        except ImportError:
            raise ImportError(
                "a window needs pygame (the box2d extra): pip install pygame; "
                "or use --record out.mp4"
            ) from None
        self.pygame = pygame
        pygame.init()
        pygame.display.set_caption(title)
        self.screen = None
        self.clock = pygame.time.Clock()
        self.fps = fps
        self.closed = False

    def add(self, frame: np.ndarray) -> None:
        pygame = self.pygame
        if self.screen is None:
            self.screen = pygame.display.set_mode((frame.shape[1], frame.shape[0]))
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                self.closed = True
        if self.closed:
            raise KeyboardInterrupt
        self.screen.blit(pygame.surfarray.make_surface(frame.swapaxes(0, 1)), (0, 0))
        pygame.display.flip()
        self.clock.tick(self.fps)

    def close(self) -> None:
        self.pygame.quit()
