"""Evidence files, stored once under their content hash."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

_FALLBACK_NAME = "tep"


def safe_name(name: str) -> str:
    """The last part of a sender's file name, never a path: "..", "." and
    names made only of separators become a neutral name."""
    last = Path(name.replace("\\", "/")).name.strip()
    return last if last and last not in (".", "..") else _FALLBACK_NAME


def store_file(files_dir: Path, source: Path, name: str) -> str:
    """Copy a received file under files_dir and return its reference
    ("<sha256>/<name>"); the same content is stored once."""
    digest = hashlib.sha256()
    with open(source, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    name = safe_name(name)
    ref = f"{digest.hexdigest()}/{name}"
    target = Path(files_dir) / ref
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return ref


def file_path(files_dir: Path, ref: str) -> Path:
    path = (Path(files_dir) / ref).resolve()
    if Path(files_dir).resolve() not in path.parents:
        raise ValueError("file reference outside the files folder")
    return path
