"""scikit-learn's ``Bunch``: a dict whose keys are also attributes."""

from __future__ import annotations

from typing import Any


class Bunch(dict):
    """A dict whose keys are also attributes, like :class:`sklearn.utils.Bunch`."""

    def __init__(self, **kwargs: Any):
        super().__init__(kwargs)

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError as err:
            raise AttributeError(key) from err

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __dir__(self):
        return list(self.keys())
