"""M: the MDN-RNN of World Models (Ha & Schmidhuber, 2018, arXiv 1803.10122; Graves 2013 and
Ha & Eck 2017 for the mixture density head).

An LSTM reads x_t = [z_t, a_t (, restart_t)] (B, T, n_in) and predicts, for every dimension of
z_{t+1}, a mixture of K diagonal Gaussians: logit_pi, mu, log_sigma, each (B, T, K, z_size);
optional heads give the logit of done_{t+1} (Doom: the agent dies) and r_{t+1}, each (B, T).
`input_hidden` > 0 puts a ReLU linear layer before the LSTM (the Sonic port: 201 -> 1024).

Parameter counts (PyTorch's nn.LSTM has two bias vectors per gate, b_ih and b_hh; the paper's
TensorFlow LSTM one, so it counts 4 * hidden fewer): CarRacing (z 32, 3 actions, 256 units, 5
Gaussians) 423,392 here, 422,368 in the paper; Doom (z 64, 1 action, restart, 512 units, done
head) 1,680,833 here, 1,678,785 in the paper.

`mdn_loss` is the mixture's negative log-likelihood through log-softmax and log-sum-exp, never
a log of summed densities, so that it stays finite where every component is far from the target.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


class MDNOutput(NamedTuple):
    logit_pi: torch.Tensor  # (B, T, K, z)
    mu: torch.Tensor  # (B, T, K, z)
    log_sigma: torch.Tensor  # (B, T, K, z)
    done_logit: torch.Tensor | None  # (B, T)
    reward: torch.Tensor | None  # (B, T)


class MDNRNN(nn.Module):
    """inputs (B, T, n_in), state ((1, B, H), (1, B, H)) or None -> (MDNOutput, state)."""

    def __init__(
        self,
        z_size: int,
        action_size: int,
        hidden: int = 256,
        gaussians: int = 5,
        restart_input: bool = False,
        done_head: bool = False,
        reward_head: bool = False,
        input_hidden: int = 0,
    ):
        super().__init__()
        self.z_size, self.action_size, self.hidden = z_size, action_size, hidden
        self.gaussians, self.restart_input = gaussians, restart_input
        self.done_head, self.reward_head = done_head, reward_head
        self.input_size = z_size + action_size + int(restart_input)
        self.input_layer = nn.Linear(self.input_size, input_hidden) if input_hidden else None
        self.lstm = nn.LSTM(input_hidden or self.input_size, hidden, batch_first=True)
        self.mixture_size = 3 * gaussians * z_size
        self.head = nn.Linear(hidden, self.mixture_size + int(done_head) + int(reward_head))

    def forward(self, inputs: torch.Tensor, state=None) -> tuple[MDNOutput, tuple]:
        h = inputs if self.input_layer is None else F.relu(self.input_layer(inputs))
        h, state = self.lstm(h, state)
        return self.split(self.head(h)), state

    def split(self, out: torch.Tensor) -> MDNOutput:
        """The head's (B, T, n_out) -> MDNOutput."""
        mixture = out[..., : self.mixture_size].unflatten(-1, (3, self.gaussians, self.z_size))
        extra = self.mixture_size
        done = reward = None
        if self.done_head:
            done, extra = out[..., extra], extra + 1
        if self.reward_head:
            reward = out[..., extra]
        return MDNOutput(
            mixture[..., 0, :, :], mixture[..., 1, :, :], mixture[..., 2, :, :], done, reward
        )

    def export(self) -> dict[str, np.ndarray]:
        """float32 numpy weights for `models.latent_dynamics.LatentDynamics` (the dream):
        lstm_w (n + H, 4H) acting on [x, h], lstm_b (4H,), head_w (H, n_out), head_b (n_out,),
        and input_w, input_b when there is an input layer; gates in PyTorch's order i, f, g, o."""

        def array(tensor: torch.Tensor) -> np.ndarray:
            return tensor.detach().cpu().float().numpy().copy()

        weights = {
            "lstm_w": array(torch.cat([self.lstm.weight_ih_l0, self.lstm.weight_hh_l0], 1).T),
            "lstm_b": array(self.lstm.bias_ih_l0 + self.lstm.bias_hh_l0),
            "head_w": array(self.head.weight.T),
            "head_b": array(self.head.bias),
        }
        if self.input_layer is not None:
            weights["input_w"] = array(self.input_layer.weight.T)
            weights["input_b"] = array(self.input_layer.bias)
        return weights


def mdn_loss(
    logit_pi: torch.Tensor,
    mu: torch.Tensor,
    log_sigma: torch.Tensor,
    target: torch.Tensor,
    mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """Mean negative log-likelihood of target (B, T, z) under the mixtures (B, T, K, z), over
    every (step, z dimension) where mask (B, T) is true (all of them without a mask).

    -log sum_k pi_k N(y; mu_k, sigma_k) = -logsumexp_k(log_softmax(logit)_k + log N_k)."""
    y = target.unsqueeze(-2)  # (B, T, 1, z): against every component
    log_normal = -0.5 * ((y - mu) * torch.exp(-log_sigma)).square() - log_sigma - LOG_SQRT_2PI
    log_likelihood = torch.logsumexp(F.log_softmax(logit_pi, dim=-2) + log_normal, dim=-2)
    if mask is None:
        return -log_likelihood.mean()
    weights = mask.to(log_likelihood.dtype).unsqueeze(-1).expand_as(log_likelihood)
    return -(log_likelihood * weights).sum() / weights.sum().clamp(min=1)


def done_loss(
    done_logit: torch.Tensor, done: torch.Tensor, mask: torch.Tensor, positive_weight: float
) -> torch.Tensor:
    """Binary cross-entropy of done (B, T), each death weighted by `positive_weight` (deaths are
    rare: WorldModelsExperiments weights them by 10), over the steps where mask is true."""
    weight = torch.tensor(positive_weight, dtype=done_logit.dtype, device=done_logit.device)
    per_step = F.binary_cross_entropy_with_logits(
        done_logit, done.to(done_logit.dtype), pos_weight=weight, reduction="none"
    )
    weights = mask.to(per_step.dtype)
    return (per_step * weights).sum() / weights.sum().clamp(min=1)


def reward_loss(predicted: torch.Tensor, reward: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean squared error of the predicted rewards (B, T) over the steps where mask is true."""
    weights = mask.to(predicted.dtype)
    return ((predicted - reward).square() * weights).sum() / weights.sum().clamp(min=1)
