"""Worker operations behind "Code & notebook": the Python that reproduces what a panel
shows, as a script (two flavours: ``kmeanslab`` and scikit-learn) or a Jupyter notebook.

The page sends the panel's state (data source, parameters, the numbers it showed); the
code is built here, in Python, so that what it embeds (initial centers of the kept run,
packed data) is computed by the same package that produced the result. The notebook is
nbformat 4 JSON written with :mod:`json`: no Jupyter library is needed in the page.
"""

from __future__ import annotations

import json
from typing import Any

from .export_code import FLAVOURS, Cell, check_flavour, script
from .export_media import digits_cells, image_cells
from .export_points import points_cells

Record = dict[str, Any]
PANELS = {"points": points_cells, "image": image_cells, "digits": digits_cells}
FLAVOUR_NAMES = {"kmeanslab": "kmeanslab", "sklearn": "scikit-learn"}


def _cells(panel: str, state: Any, flavour: str) -> tuple[list[Cell], str, str]:
    if panel not in PANELS:
        raise ValueError(f"panel={panel!r} is not a panel; expected one of {', '.join(PANELS)}.")
    check_flavour(flavour)
    state = state.to_py() if hasattr(state, "to_py") else dict(state or {})
    if not isinstance(state.get("params"), dict):
        raise ValueError(f"The {panel} panel's state has no parameters: run it first.")
    return PANELS[panel](state, flavour)


def export_code(panel: str, state: Any, flavour: str = "kmeanslab") -> Record:
    """The Python script reproducing a panel's result.

    Parameters
    ----------
    panel : {"points", "image", "digits"}
    state : dict
        ``params`` (the panel's fields) plus what the panel generator needs
        (:mod:`.export_points`, :mod:`.export_media`).
    flavour : {"kmeanslab", "sklearn"}
        Which package the imports name.

    Returns
    -------
    dict
        ``code`` (str), ``title``, ``filename`` (a safe ``.py`` name), ``flavour``.

    Raises
    ------
    ValueError
        For an unknown panel or flavour, or a state without parameters.
    """
    cells, title, stem = _cells(panel, state, flavour)
    suffix = "" if flavour == "kmeanslab" else "-sklearn"
    return {"code": script(cells), "title": title, "filename": f"{stem}{suffix}.py",
            "flavour": flavour}


def _notebook(cells: list[Cell], flavour: str) -> dict:
    """An nbformat 4.5 notebook of ``cells`` (Python 3 kernel)."""
    out = []
    for i, cell in enumerate(cells):
        entry: dict[str, Any] = {"cell_type": cell.kind, "id": f"cell-{i}", "metadata": {},
                                 "source": cell.text.splitlines(keepends=True)}
        if cell.kind == "code":
            entry.update(execution_count=None, outputs=[])
        out.append(entry)
    return {
        "cells": out,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "kmeanslab": {"flavour": flavour},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def export_notebook(panel: str, state: Any, flavour: str = "kmeanslab") -> Record:
    """A Jupyter notebook (nbformat 4 JSON text) reproducing and plotting a panel's result.

    Returns ``notebook`` (str, JSON), ``filename`` (safe, e.g. ``kmeans-blobs-k4.ipynb``),
    ``title`` and ``size`` (bytes of the UTF-8 JSON). Raises as :func:`export_code`.
    """
    cells, title, stem = _cells(panel, state, flavour)
    text = json.dumps(_notebook(cells, flavour), indent=1, ensure_ascii=False) + "\n"
    suffix = "" if flavour == "kmeanslab" else "-sklearn"
    return {"notebook": text, "filename": f"{stem}{suffix}.ipynb", "title": title,
            "size": len(text.encode("utf-8")), "flavour": flavour}


__all__ = ["FLAVOURS", "FLAVOUR_NAMES", "export_code", "export_notebook"]
