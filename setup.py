"""estool: distributed evolution strategies over MPI."""

from pathlib import Path

from setuptools import find_packages, setup

EXTRAS = {
    # World Models (ConvVAE, MDN-RNN); the project's pin (a CPU build where the index has one)
    "torch": ["torch==2.13.0", "tqdm>=4.66", "pillow>=10"],
    "box2d": ["gymnasium[box2d]>=1.0"],
    # pybullet's legacy envs (Racecar, Minitaur, Kuka) import through envs/bullet_legacy.py
    "pybullet": ["pybullet>=3.2.6", "pybullet-envs-gymnasium", "packaging"],
    "mujoco": ["gymnasium[mujoco]>=1.0"],
    "retro": ["stable-retro>=0.9"],
    "doom": ["vizdoom>=1.2"],
    # slimevolleygym imports the legacy gym and cv2 without declaring cv2
    "slimevolley": ["slimevolleygym>=0.1", "gym==0.26.2", "opencv-python-headless"],
    "plot": ["matplotlib>=3.7"],
    "video": ["imageio-ffmpeg>=0.4", "pillow>=10"],
    "test": ["pytest>=8", "ruff>=0.6"],
}
# every extra above: what CI installs, so that no test is skipped there
EXTRAS["all"] = sorted({req for name, reqs in EXTRAS.items() if name != "test" for req in reqs})

setup(
    name="estool",
    version="0.1.0",
    description="Distributed evolution strategies (CMA-ES, PEPG, OpenAI-ES, GA) over MPI",
    long_description=Path(__file__).with_name("README.md").read_text(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["estool", "estool.*", "envs", "envs.*", "models", "models.*"]),
    package_data={"envs": ["assets/*.urdf", "assets/levels/*.txt"]},
    install_requires=[
        "numpy>=1.26",
        "cma>=4.0",
        "gymnasium>=1.0",
        "threadpoolctl>=3.1",  # a fixed number of BLAS threads (estool/evaluation/threads.py)
        "mpi4py>=4.0",
        # an MPI runtime from PyPI so that a plain install has `mpiexec`; see the README to use the
        # cluster's own MPI instead
        "mpich>=4.1",
    ],
    extras_require=EXTRAS,
    entry_points={"console_scripts": ["estool = estool.cli.main:main"]},
    license="MIT",
)
