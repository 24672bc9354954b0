"""A Gaussian population any rank can rebuild from seeds: Salimans et al. 2017 (arXiv:1703.03864),
section 2.1, "each worker can reconstruct the perturbations of the others from their seeds".

Solutions are mean +- scale * z_k, where z_k ~ N(0, I) is row k's own stream (SFC64 seeded by
the generation's entropy and k), so a rank holding the mean, the scale and the entropy rebuilds
solution i alone, bit for bit, in the arithmetic the solver used (one function serves both):

    mirrored:  [mean] (mean_first), then mean + scale*z_k for k < half, then mean - scale*z_k
    otherwise: [mean] (mean_first), then mean + scale*z_k

OpenAI-ES (a scalar scale) and PEPG (a per-parameter one) sample this way with `row_seeds`: the
master sends each worker the mean and scale once a generation, instead of every solution it
plays. Seeding a row's stream costs ~40 us, so the setting pays at 10k+ parameters.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from estool.solvers.sampling import parallel_rows

ENTROPY_WORDS = 4
HEADER_WORDS = 4 + ENTROPY_WORDS  # `GaussianPopulation.header`


def draw_entropy(rng: np.random.Generator) -> np.ndarray:
    """(4,) uint64: a generation's entropy, from the solver's generator."""
    return rng.integers(0, 2**63, size=ENTROPY_WORDS, dtype=np.uint64)


def row_normals(entropy: np.ndarray, row: int, out: np.ndarray) -> np.ndarray:
    """`out` (n,) filled with z_row ~ N(0, I) from row `row`'s own stream."""
    words = [int(e) for e in entropy] + [int(row)]
    np.random.Generator(np.random.SFC64(np.random.SeedSequence(words))).standard_normal(out=out)
    return out


@dataclasses.dataclass(frozen=True)
class GaussianPopulation:
    """One generation's solutions as mean (n,), scale (scalar or (n,)) and entropy (4,) uint64."""

    mean: np.ndarray
    scale: float | np.ndarray
    entropy: np.ndarray
    popsize: int
    mirrored: bool
    mean_first: bool = False

    @property
    def offset(self) -> int:
        return int(self.mean_first)

    @property
    def noise_rows(self) -> int:
        """How many z rows the population uses."""
        perturbed = self.popsize - self.offset
        return perturbed // 2 if self.mirrored else perturbed

    def sample(self, solutions: np.ndarray, z: np.ndarray | None = None) -> None:
        """Fill solutions (popsize, n), and z (noise_rows, n) if given, in place, rows in
        threads."""
        solutions[: self.offset] = self.mean

        def fill(rows: slice) -> None:
            for k in range(rows.start, rows.stop):
                first, *mirror = self._solutions_of(k)
                noise = row_normals(self.entropy, k, solutions[first] if z is None else z[k])
                for index in mirror:  # first: computed in place, after the mirror reads z
                    self._perturb(noise, index, solutions[index])
                self._perturb(noise, first, solutions[first])

        parallel_rows(self.noise_rows, solutions.shape[1], fill)

    def solution(self, index: int) -> np.ndarray:
        """Solution `index` (n,), as `sample` computes it."""
        out = np.empty(len(self.mean))
        if index < self.offset:
            out[:] = self.mean
            return out
        k = index - self.offset
        if self.mirrored:
            k %= self.noise_rows
        return self._perturb(row_normals(self.entropy, k, np.empty(len(self.mean))), index, out)

    def _solutions_of(self, k: int) -> tuple[int, ...]:
        first = self.offset + k
        return (first, first + self.noise_rows) if self.mirrored else (first,)

    def _perturb(self, z: np.ndarray, index: int, out: np.ndarray) -> np.ndarray:
        np.multiply(z, self.scale, out=out)
        if self.mirrored and index >= self.offset + self.noise_rows:
            return np.subtract(self.mean, out, out=out)
        out += self.mean
        return out

    # ---- over MPI: an int64 header and one float64 buffer --------------------------------------

    def header(self) -> np.ndarray:
        """(8,) int64: popsize, mirrored, mean_first, whether the scale is a vector, entropy."""
        vector = np.ndim(self.scale) > 0
        flags = [self.popsize, self.mirrored, self.mean_first, vector]
        return np.concatenate([flags, self.entropy.view(np.int64)]).astype(np.int64)

    def data(self) -> np.ndarray:
        """float64 [mean, scale]: (2n,) or (n + 1,)."""
        return np.concatenate([self.mean, np.ravel(self.scale)])

    @classmethod
    def from_buffers(cls, header: np.ndarray, data: np.ndarray, num_params: int):
        popsize, mirrored, mean_first, vector = header[:4].tolist()
        entropy = header[4:].astype(np.int64).view(np.uint64).copy()
        mean, scale = data[:num_params], data[num_params:]
        return cls(
            mean, scale if vector else float(scale[0]), entropy, popsize, bool(mirrored),
            bool(mean_first),
        )  # fmt: skip
