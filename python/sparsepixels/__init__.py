"""sparsepixels in Python: sparse CNNs for FPGAs with numpy in and out (docs/python.md).

The same library as the ``sparsepixels`` command line, called in-process: ``Model.fit`` is ``train``,
``Model.evaluate`` is ``eval`` (the same metrics as metrics.json), ``Model.predict`` is ``predict``,
``Model.estimate`` is ``estimate``, ``Model.convert`` is ``convert`` and ``Project.csim`` is ``csim``;
their results equal the command line's bit for bit. Library errors raise :class:`Error` with the
message the command line prints after ``error:``.
"""

from ._sparsepixels import Error, __version__
from ._model import Model, Project
from . import data


def import_keras(path, **options) -> Model:
    """A Keras model as a :class:`Model`: the same as :meth:`Model.import_keras` (docs/import.md)."""
    return Model.import_keras(path, **options)


__all__ = ["Error", "Model", "Project", "data", "import_keras", "__version__"]
