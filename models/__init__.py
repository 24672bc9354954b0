"""Policies: kinds behind one registry (`models.registry`), numpy MLP and RNN today."""

from models.registry import POLICY_KINDS, Policy, PolicySpec, make_policy, register_policy

__all__ = ["POLICY_KINDS", "Policy", "PolicySpec", "make_policy", "register_policy"]
