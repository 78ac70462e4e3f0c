"""Builds the Python module `sparsepixels` with CMake for `pip install --no-build-isolation .`.

The extension is the CMake target `sparsepixels_python` (python/CMakeLists.txt); the pure-Python files
come from python/sparsepixels. SPARSEPIXELS_BUILD_DIR names an already configured CMake build tree to
build in (the README's `build`), so the library is not compiled twice; otherwise a fresh tree under
build-python/ is configured without the tests. setuptools' own scratch files also go to build-python/.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
SCRATCH = ROOT / "build-python"


def project_version() -> str:
    match = re.search(r"project\(sparsepixels VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text())
    if match is None:
        raise RuntimeError("CMakeLists.txt: no project version")
    return match.group(1)


class CMakeExtension(Extension):
    def __init__(self) -> None:
        super().__init__("sparsepixels._sparsepixels", sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        given = os.environ.get("SPARSEPIXELS_BUILD_DIR")
        build_dir = Path(given) if given else SCRATCH / "cmake"
        if not (build_dir / "CMakeCache.txt").exists():
            subprocess.check_call([
                "cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
                "-DSPARSEPIXELS_BUILD_TESTS=OFF", "-DSPARSEPIXELS_PYTHON=ON",
                f"-DPython3_EXECUTABLE={sys.executable}",
            ])
        jobs = os.environ.get("SPARSEPIXELS_JOBS", str(os.cpu_count() or 1))
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "sparsepixels_python", "-j", jobs])
        built = sorted((build_dir / "python" / "sparsepixels").glob("_sparsepixels*.so"))
        if len(built) != 1:
            raise RuntimeError(f"{build_dir}: expected one built _sparsepixels*.so, found {len(built)}")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


SCRATCH.mkdir(exist_ok=True)
setup(
    version=project_version(),
    packages=["sparsepixels"],
    package_dir={"sparsepixels": "python/sparsepixels"},
    package_data={"sparsepixels": ["py.typed", "*.pyi"]},
    ext_modules=[CMakeExtension()],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": str(SCRATCH)}, "egg_info": {"egg_base": str(SCRATCH)}},
    zip_safe=False,
)
