"""Checks of input paths with the command line's messages."""

import os
from typing import Union

from ._sparsepixels import Error

PathLike = Union[str, "os.PathLike[str]"]


def input_file(path: PathLike) -> str:
    """The path as a string; raises Error as the command line does when it is not a readable file."""
    text = os.fspath(path)
    if not os.path.exists(text):
        raise Error(f"{text}: does not exist")
    if os.path.isdir(text):
        raise Error(f"{text}: is a directory, not a file")
    if not os.access(text, os.R_OK):
        raise Error(f"{text}: cannot be read (permission denied)")
    return text


def input_folder(path: PathLike) -> str:
    """The path as a string; raises Error when it is not a folder."""
    text = os.fspath(path)
    if not os.path.exists(text):
        raise Error(f"{text}: does not exist")
    if not os.path.isdir(text):
        raise Error(f"{text}: is not a folder")
    return text
