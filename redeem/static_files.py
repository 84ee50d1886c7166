"""Static files: read once, fingerprinted by content, served gzipped and cached for a year.

A file's URL carries a hash of its content (`/static/app.css?v=1a2b3c4d`), so a deploy that
changes it changes the URL, and browsers may keep every version forever.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, request, url_for

COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt")


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    mimetype: str
    digest: str


def _load(folder: Path) -> dict[str, Asset]:
    assets = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        body = path.read_bytes()
        name = path.relative_to(folder).as_posix()
        packed = gzip.compress(body, 9, mtime=0) if path.suffix in COMPRESSIBLE else None
        assets[name] = Asset(
            body=body,
            gzipped=packed if packed and len(packed) < len(body) else None,
            mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream",
            digest=hashlib.sha256(body).hexdigest()[:12],
        )
    return assets


def register_static(app: Flask) -> None:
    assets = _load(Path(app.root_path).parent / "static")

    def static(filename: str) -> Response:
        asset = assets.get(filename)
        if asset is None:
            abort(404)
        if request.if_none_match.contains(asset.digest):
            return Response(status=304)
        use_gzip = asset.gzipped is not None and "gzip" in request.headers.get(
            "Accept-Encoding", ""
        )
        response = Response(asset.gzipped if use_gzip else asset.body, mimetype=asset.mimetype)
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
        if asset.gzipped is not None:
            response.headers["Vary"] = "Accept-Encoding"
        response.set_etag(asset.digest)
        return response

    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=static)

    def asset_url(filename: str) -> str:
        asset = assets.get(filename)
        return url_for("static", filename=filename, v=asset.digest if asset else None)

    app.jinja_env.globals["asset_url"] = asset_url
    app.jinja_env.globals["inline_asset"] = lambda name: assets[name].body.decode()
