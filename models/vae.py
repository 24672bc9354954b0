"""V: the convolutional VAE of World Models (Ha & Schmidhuber, 2018, arXiv 1803.10122).

Frames (B, 3, S, S) float in [0, 1] -> a diagonal Gaussian over z (B, z_size) -> frames again.
Encoder: four 4x4 stride-2 convolutions (32, 64, 128, 256 channels, ReLU), then two linear maps
to mu and logvar. Decoder: a linear map to a 1x1 column, then transposed convolutions with ReLU
and a sigmoid last:
- S = 64 (the paper's): z -> 1024; 5x5, 5x5, 6x6, 6x6 kernels, 128, 64, 32, 3 channels.
  4,348,547 parameters at z = 32 (CarRacing), 4,446,915 at z = 64 (Doom).
- S = 128 (the Sonic port's beta-VAE): z -> 256 * 6 * 6; 5x5, 5x5, 5x5, 6x6, 6x6 kernels, 128, 64,
  32, 16, 3 channels. 35,996,963 parameters at z = 200.

`vae_loss` is the paper's (L2 summed over pixels, KL floored at `kl_tolerance * z_size`) or the
beta-VAE's (BCE summed over pixels, beta * KL).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

ENCODER_CHANNELS = (32, 64, 128, 256)
# image size -> (channels after the encoder's last conv, its side), decoder (kernel, channels)
DECODERS = {
    64: ((256, 2), ((5, 128), (5, 64), (6, 32), (6, 3))),
    128: ((256, 6), ((5, 128), (5, 64), (5, 32), (6, 16), (6, 3))),
}


class ConvVAE(nn.Module):
    """x (B, 3, S, S) in [0, 1] -> (reconstruction (B, 3, S, S), mu (B, z), logvar (B, z))."""

    def __init__(self, z_size: int = 32, image_size: int = 64):
        super().__init__()
        if image_size not in DECODERS:
            raise ValueError(f"image_size {image_size}: choose one of {sorted(DECODERS)}")
        self.z_size, self.image_size = z_size, image_size
        (channels, side), deconvs = DECODERS[image_size]
        self.flat = channels * side * side
        convs, previous = [], 3
        for width in ENCODER_CHANNELS:
            convs.append(nn.Conv2d(previous, width, 4, stride=2))
            previous = width
        self.encoder = nn.ModuleList(convs)
        self.mu = nn.Linear(self.flat, z_size)
        self.logvar = nn.Linear(self.flat, z_size)
        self.expand = nn.Linear(z_size, self.flat)
        layers, previous = [], self.flat
        for kernel, width in deconvs:
            layers.append(nn.ConvTranspose2d(previous, width, kernel, stride=2))
            previous = width
        self.decoder = nn.ModuleList(layers)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, 3, S, S) -> mu, logvar (B, z)."""
        h = x
        for conv in self.encoder:
            h = F.relu(conv(h))
        h = h.flatten(1)
        return self.mu(h), self.logvar(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z (B, z_size) -> frames (B, 3, S, S) in (0, 1)."""
        # the first transposed convolution reads a 1x1 column: it is a matrix product, and as
        # one it runs 20-50x faster than torch's CPU kernel for it (the same weights and sums)
        first = self.decoder[0]
        h = self.expand(z) @ first.weight.flatten(1)
        h = F.relu(h.view(-1, *first.weight.shape[1:]) + first.bias.view(1, -1, 1, 1))
        for deconv in self.decoder[1:-1]:
            h = F.relu(deconv(h))
        return torch.sigmoid(self.decoder[-1](h))

    def forward(
        self, x: torch.Tensor, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mu, logvar = self.encode(x)
        eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        return self.decode(mu + eps * torch.exp(0.5 * logvar)), mu, logvar


def vae_loss(
    reconstruction: torch.Tensor,
    x: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    kl_tolerance: float = 0.5,
    beta: float = 1.0,
    bce: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(loss, reconstruction term, KL term), each a batch mean of per-frame sums.

    The KL term is max(KL, kl_tolerance * z) per frame (World Models: the code may carry that
    much information for free), times `beta`; `bce` replaces the squared error by binary
    cross-entropy (the beta-VAE of the Sonic port)."""
    if bce:
        per_pixel = F.binary_cross_entropy(reconstruction, x, reduction="none")
    else:
        per_pixel = (reconstruction - x).square()
    rebuild = per_pixel.flatten(1).sum(1).mean()
    kl = -0.5 * (1 + logvar - mu.square() - logvar.exp()).sum(1)
    kl = kl.clamp(min=kl_tolerance * mu.shape[1]).mean()
    return rebuild + beta * kl, rebuild, kl


def frames_to_tensor(frames, device: str | torch.device = "cpu") -> torch.Tensor:
    """uint8 frames (B, S, S, 3) (numpy or torch) -> float (B, 3, S, S) in [0, 1]."""
    x = torch.as_tensor(frames, device=device)
    return x.permute(0, 3, 1, 2).float().div_(255.0)
