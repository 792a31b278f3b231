"""Files the bot shows by URL (Zalo takes photos only as public URLs): served
from the files folder under an unguessable path, an HMAC of the file's name."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from aiohttp import web

MEDIA_PREFIX = "/media"


def _mac(secret: bytes, ref: str) -> str:
    return hmac.new(secret, ref.encode(), hashlib.sha256).hexdigest()[:32]


def media_url(public_base: str, secret: bytes, files_dir: Path, path_or_ref: str) -> str | None:
    """The public URL of a file under files_dir, or None for a file elsewhere."""
    root = Path(files_dir).resolve()
    path = Path(path_or_ref)
    path = (path if path.is_absolute() else root / path).resolve()
    if root not in path.parents or not path.is_file():
        return None
    ref = path.relative_to(root).as_posix()
    return f"{public_base.rstrip('/')}{MEDIA_PREFIX}/{_mac(secret, ref)}/{ref}"


def add_media_route(app: web.Application, secret: bytes, files_dir: Path) -> None:
    root = Path(files_dir).resolve()

    async def serve_file(request: web.Request) -> web.StreamResponse:
        mac, ref = request.match_info["mac"], request.match_info["ref"]
        path = (root / ref).resolve()
        if not hmac.compare_digest(mac, _mac(secret, ref)) or root not in path.parents or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path)

    app.router.add_get(MEDIA_PREFIX + "/{mac}/{ref:.+}", serve_file)
