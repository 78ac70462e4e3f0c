"""Model and Project: the train, predict, eval, summary, estimate, convert and csim commands in-process."""

import json
import os
import tempfile
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _sparsepixels as _core
from ._paths import PathLike, input_file, input_folder

Callback = Callable[[int, Dict[str, float]], Optional[bool]]


def _default_class_names(output_size: int) -> List[str]:
    return ["0", "1"] if output_size == 1 else [str(k) for k in range(output_size)]


class Model:
    """A sparse (or standard) CNN: its config, fixed-point types and weights.

    Make one with :meth:`from_config` (a YAML config, weights zero until :meth:`fit`) or
    :meth:`load` (a model file written by ``train`` or :meth:`save`).
    """

    def __init__(self, core: "_core.Model"):
        self._core = core

    # --- making and storing -------------------------------------------------------------------
    @classmethod
    def from_config(cls, config: Union[PathLike, Mapping[str, Any]]) -> "Model":
        """A model from a YAML config file (docs/config.md) or from the same structure as a dict.

        A dict is passed on as JSON text (JSON is YAML), so it takes exactly the keys of the file;
        errors then name ``<dict>`` instead of a file.
        """
        if isinstance(config, Mapping):
            return cls(_core.Model.from_config_text(json.dumps(config), "<dict>"))
        return cls(_core.Model.from_config_file(input_file(config)))

    @classmethod
    def load(cls, path: PathLike) -> "Model":
        """Reads a model file (JSON, docs/model-file.md) as written by ``train`` or :meth:`save`."""
        return cls(_core.Model.load(input_file(path)))

    @classmethod
    def import_keras(
        cls,
        path: PathLike,
        n_active: Optional[int] = None,
        threshold: Optional[float] = None,
        selection: Optional[str] = None,
        hls4ml_config: Optional[PathLike] = None,
        config: Optional[PathLike] = None,
        float_input: bool = False,
        profile: Optional[str] = None,
    ) -> "Model":
        """A Keras model (``.keras``, or legacy ``.h5`` weights with ``config``), as ``sparsepixels import``.

        The options are the command's (docs/import.md): ``n_active`` (with ``threshold`` and
        ``selection`` 'raster' or 'topk') imports the sparse model; ``hls4ml_config`` gives the types;
        ``float_input`` keeps what Keras keeps in float (a comparison aid for ``predict(quantized=True)``);
        ``profile`` is 'exact' (default) or 'hls4ml' (hls4ml's arithmetic rules, docs/semantics.md).
        The notes the command prints (defaults taken, layers dropped) become :class:`UserWarning`.
        """
        import warnings

        core, notes = _core.Model.import_keras(
            input_file(path),
            n_active,
            threshold,
            selection or "",
            input_file(hls4ml_config) if hls4ml_config is not None else "",
            input_file(config) if config is not None else "",
            float_input,
            profile or "",
        )
        for note in notes:
            warnings.warn(note, UserWarning, stacklevel=2)
        return cls(core)

    def save(self, path: PathLike) -> None:
        """Writes the model file (to a temporary name, then renamed); the same bytes as ``train --out``."""
        self._core.save(os.fspath(path))

    # --- what it is ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The model's name (from the config)."""
        return self._core.name

    @property
    def input_shape(self) -> Tuple[int, int, int]:
        """(height, width, channels) of one event."""
        return self._core.input_shape

    @property
    def output_size(self) -> int:
        """Values per event of the output (1 for a sigmoid head, the classes for softmax)."""
        return self._core.output_size

    @property
    def parameter_count(self) -> int:
        """Trainable parameters (weights and biases)."""
        return self._core.parameter_count

    @property
    def n_active(self) -> int:
        """The pixel budget N of the InputReduce layer (0 for a standard CNN)."""
        return self._core.n_active

    @property
    def layer_names(self) -> List[str]:
        """The layers' names in order."""
        return self._core.layer_names

    @property
    def training(self) -> Dict[str, Any]:
        """The config's training settings (what :meth:`fit` uses unless given keywords)."""
        return self._core.training_settings()

    def summary(self) -> str:
        """The Keras-like summary ``sparsepixels summary`` prints: layers, shapes, parameters, types."""
        return self._core.summary()

    def __repr__(self) -> str:
        return f"<sparsepixels.Model '{self.name}' input {self.input_shape} outputs {self.output_size}>"

    # --- inference ----------------------------------------------------------------------------
    def predict(self, x: Any, fixed: bool = False, quantized: bool = False, threads: int = 0) -> np.ndarray:
        """Outputs of the model on dense events ``x`` of shape (N, H, W, C).

        ``x`` as float32 C-contiguous is read in place; other float dtypes (and non-contiguous arrays)
        are converted with one copy. Integer, boolean, complex and object dtypes raise TypeError;
        a wrong shape, NaN or inf raise ValueError.

        Returns (N, outputs): float32 for the float forward and for ``quantized=True`` (the QAT
        forward, types applied); float64 for ``fixed=True``, the bit-exact fixed-point inference of
        the HLS kernels (every value exact). Equal bit for bit to ``sparsepixels predict``.
        """
        return self._core.predict(x, fixed=fixed, quantized=quantized, threads=threads)

    def evaluate(
        self,
        x: Any,
        y: Any,
        fixed: bool = False,
        quantized: bool = False,
        class_names: Optional[Sequence[str]] = None,
        out: Optional[PathLike] = None,
        threads: int = 0,
    ) -> Dict[str, Any]:
        """Scores the model on events ``x`` with labels ``y`` (integer class indices).

        Returns the metrics ``sparsepixels eval`` writes to metrics.json (accuracy, AUC, per-class
        AUC, confusion matrix; with ``fixed=True`` also every layer's value range), with ``"data"``
        set to ``"<numpy>"`` and, unless ``out`` names a folder to write metrics.json, confusion.csv,
        the ROC CSVs and roc.png into, empty ``"files"``. ``class_names`` default to "0", "1", ...
        (a sigmoid model has two classes). ``quantized=True`` scores the QAT forward ("inference":
        "quantized"), which the command line's eval does not offer.
        """
        names = list(class_names) if class_names is not None else _default_class_names(self.output_size)
        text = self._core.evaluate(
            x,
            y,
            names,
            fixed=fixed,
            quantized=quantized,
            threads=threads,
            out="" if out is None else os.fspath(out),
        )
        return json.loads(text)

    # --- training -----------------------------------------------------------------------------
    def fit(
        self,
        x: Any,
        y: Any,
        validation_data: Optional[Tuple[Any, Any]] = None,
        epochs: Optional[int] = None,
        callbacks: Union[None, Callback, Iterable[Callback]] = None,
        seed: Optional[int] = None,
        threads: Optional[int] = None,
        history_csv: Optional[PathLike] = None,
        **overrides: Any,
    ) -> Dict[str, Any]:
        """Trains from the config's settings (Adam, early stopping on the validation loss).

        ``epochs``, ``seed`` and ``threads`` act as ``train``'s --epochs, --seed and --threads; any
        other training setting (``learning_rate``, ``batch_size``, ``patience``, ``quantized``, ...:
        see :attr:`training`) can be given by keyword and is stored in the model. The events are
        copied once for the trainer. The GIL is released while training. Each callback is called
        as ``callback(epoch, logs)`` after every epoch; one returning False stops training (as early
        stopping: the best weights are restored). Ctrl-C stops within one batch, restores the best
        weights and raises KeyboardInterrupt. Same config, data and seed: the same model file as
        ``sparsepixels train`` byte for byte.

        Returns the history: lists ``epoch``, ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``
        (NaN without validation data), ``learning_rate``, ``seconds``, and ``best_epoch``,
        ``stopped_early``, ``stopped_by_callback``, ``redraws`` and ``log`` (the dead-start guard).
        """
        if overrides:
            self._core.set_training(dict(overrides))
        if callbacks is None:
            callback = None
        else:
            listed = [callbacks] if callable(callbacks) else list(callbacks)

            def callback(epoch: int, logs: Dict[str, float]) -> bool:
                keep_going = True
                for one in listed:
                    answer = one(epoch, dict(logs))
                    if answer is not None and not answer:
                        keep_going = False
                return keep_going

        val_x, val_y = (None, None) if validation_data is None else tuple(validation_data)
        return self._core.fit(
            x,
            y,
            val_x,
            val_y,
            epochs=epochs,
            seed=seed,
            threads=threads,
            history_csv="" if history_csv is None else os.fspath(history_csv),
            callback=callback,
        )

    # --- hardware -----------------------------------------------------------------------------
    def estimate(
        self,
        clock_ns: Optional[float] = None,
        part: Optional[str] = None,
        use_weight_sparsity: Optional[bool] = None,
    ) -> Dict[str, Any]:
        """Latency (cycles), II and LUT/FF/DSP/BRAM per layer and in total, as ``estimate --json``.

        ``use_weight_sparsity`` defaults to True for trained weights (a loaded model file or after
        :meth:`fit`) and False for a config, as the command line decides from the file's extension.
        """
        return json.loads(self._core.estimate_json(clock_ns, part, use_weight_sparsity))

    def convert(
        self,
        out_dir: PathLike,
        name: Optional[str] = None,
        part: Optional[str] = None,
        clock_ns: Optional[float] = None,
        overwrite: bool = False,
    ) -> "Project":
        """Writes the Vitis HLS project (hls4ml layout) as ``sparsepixels convert`` does.

        The model is first saved to a temporary model file, whose bytes (and so the recorded model
        hash) are those of :meth:`save`. Returns a :class:`Project`.
        """
        with tempfile.TemporaryDirectory(prefix="sparsepixels-convert-") as folder:
            model_path = os.path.join(folder, "model.json")
            self.save(model_path)
            summary = _core.write_project(
                model_path,
                os.fspath(out_dir),
                name=name or "",
                part=part or "",
                clock_ns=0.0 if clock_ns is None else float(clock_ns),
                overwrite=overwrite,
            )
        return Project(os.fspath(out_dir), summary["name"], summary["model_hash"], summary["warnings"], self)


class Project:
    """A Vitis HLS project written by :meth:`Model.convert` (or by ``sparsepixels convert``)."""

    def __init__(
        self, path: str, name: str, model_hash: str, warnings: List[str], model: Optional[Model] = None
    ):
        self.path = path
        self.name = name
        self.model_hash = model_hash
        self.warnings = warnings
        self._model = model

    @classmethod
    def open(cls, path: PathLike) -> "Project":
        """An existing project folder (its model.json gives the model)."""
        folder = input_folder(path)
        return cls(folder, "", "", [], Model.load(os.path.join(folder, "model.json")))

    def __repr__(self) -> str:
        return f"<sparsepixels.Project '{self.name}' at {self.path}>"

    def csim(self, x: Any, events: Optional[int] = None, compiler: str = "g++") -> Dict[str, Any]:
        """C-simulates the project on events ``x`` (N, H, W, C) as ``sparsepixels csim`` does.

        The events are written to a temporary dataset file (its test split); the project's top
        function and testbench are compiled with ``compiler`` and run; every output is compared bit
        for bit with the library's fixed-point inference. Returns ``outputs`` (the testbench's, as
        float64, (N, outputs)), ``expected`` (the fixed inference's), ``mismatches`` (output values
        whose bits differ), ``events`` and ``details`` (the first mismatch, layer by layer).
        """
        if self._model is None:
            raise _core.Error(f"{self.path}: the project has no model")
        model = self._model
        x_checked = np.asarray(x)
        count = 0 if events is None else int(events)
        if count < 0:
            raise ValueError("csim: events must be >= 0 (0 or None: all)")
        with tempfile.TemporaryDirectory(prefix="sparsepixels-csim-") as folder:
            data_path = os.path.join(folder, "events.h5")
            labels = np.zeros(x_checked.shape[0] if x_checked.ndim > 0 else 0, dtype=np.int32)
            _core.data_write(
                data_path,
                {"test": (x_checked, labels)},
                _default_class_names(model.output_size),
                source="python csim",
            )
            report = _core.run_csim(self.path, data_path, split="test", events=count, compiler=compiler)
            run_x, _ = _core.data_read(data_path, "test", 0, report["events"])
        results = os.path.join(self.path, "tb_data", "csim_results.log")
        outputs = np.loadtxt(results, dtype=np.float64, ndmin=2)[: report["events"]]
        report["outputs"] = outputs
        report["expected"] = model.predict(run_x, fixed=True)
        return report
