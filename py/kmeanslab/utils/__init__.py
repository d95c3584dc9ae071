"""Utilities shared by the subpackages: input validation, parameter rules, ``Bunch``."""

from ._bunch import Bunch

__all__ = ["Bunch"]
