"""The fake's file store: file ids and paths, uploads, photo sizes, file fields of a Message.

Why a module of its own: files come from both sides (the bot uploads voice notes,
charts and exports; simulated users send photos, voices and documents) and are read
back three ways (by file_id in a send, by getFile, by download). One store keeps the
ids, paths and bytes consistent across all of them.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from tests.fakebotapi.records import JSON, ApiError, Call, StoredFile, UploadedFile
from tests.fakebotapi.state import FakeState

_FILE_PREFIX = {
    "voice": "AwAC",
    "photo": "AgAC",
    "document": "BQAC",
    "sticker": "CAAC",
    "animation": "CgAC",
}
_FILE_DIR = {
    "voice": ("voice", ".oga"),
    "photo": ("photos", ".jpg"),
    "document": ("documents", ""),
    "sticker": ("stickers", ".webp"),
    "animation": ("animations", ".mp4"),
}
# The fake does not decode images: every photo the bot uploads is said to measure this.
PHOTO_SIZE = (1280, 960)
_PHOTO_STEPS = (90, 320, 800)  # the smaller copies Telegram keeps of a photo


def guess_mime(filename: str | None, fallback: str) -> str:
    if filename:
        guessed = mimetypes.guess_type(filename, strict=False)[0]
        if guessed:
            return guessed
    return fallback


class FilesMixin(FakeState):
    """Storing files and describing them; the queries tests use to read them back."""

    def file(self, file_id: str) -> StoredFile:
        """What the fake knows about ``file_id`` (KeyError if nothing)."""
        return self._files[file_id]

    @property
    def files(self) -> dict[str, StoredFile]:
        return dict(self._files)

    @property
    def downloads(self) -> list[str]:
        """file_paths requested under /file/bot<token>/, in order."""
        return list(self._downloads)

    def _new_file(
        self,
        kind: str,
        data: bytes | None,
        filename: str | None = None,
        mime_type: str | None = None,
        file_id: str | None = None,
    ) -> StoredFile:
        n = next(self._file_ids)
        folder, ext = _FILE_DIR[kind]
        if kind == "document" and filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=file_id or f"{_FILE_PREFIX[kind]}-{self._instance}-{n:06d}",
            file_unique_id=f"AgAD{self._instance}{n:06d}",
            kind=kind,
            file_path=f"{folder}/file_{n}{ext}",
            data=data,
            filename=filename,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _resolve_media(self, call: Call, kind: str) -> tuple[StoredFile, bool]:
        """The file a send carries, and whether it was uploaded now (not a file_id).

        An upload is the multipart part named like the field, or the one an
        ``attach://<name>`` field points to (the bot's voice notes come that way).
        """
        value = call.params.get(kind)
        attach = "attach://"
        part = (
            value[len(attach) :] if isinstance(value, str) and value.startswith(attach) else None
        )
        attached = part is not None
        upload = call.files.get(part if part is not None else kind)
        if upload is not None:
            if not upload.data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return self._store_upload(kind, upload, call.params), True
        if attached:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if not isinstance(value, str) or not value:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        if value.startswith(("http://", "https://")):
            raise ApiError(
                400, "Bad Request: the fake Bot API (tests/fakebotapi) does not fetch files by URL"
            )
        known = self._files.get(value)
        if known is not None:
            if known.kind != kind:
                raise ApiError(400, "Bad Request: type of file mismatch")
            return known, False
        # an id from another run (a cache that outlived the fake): accepted, as Telegram would
        stored = self._new_file(kind, None, file_id=value)
        if kind == "photo":
            self._photo_sizes(stored, *PHOTO_SIZE)
        return stored, False

    def _store_upload(self, kind: str, upload: UploadedFile, params: dict[str, Any]) -> StoredFile:
        ctype = upload.content_type
        if ctype == "application/octet-stream":
            ctype = None
        if kind == "photo":
            stored = self._new_file("photo", upload.data, upload.filename, "image/jpeg")
            self._photo_sizes(stored, *PHOTO_SIZE)
            return stored
        if kind == "voice":
            mime = ctype or "audio/ogg"
        elif kind == "animation":
            mime = ctype or "video/mp4"
        else:
            mime = ctype or guess_mime(upload.filename, "application/octet-stream")
        stored = self._new_file(kind, upload.data, upload.filename, mime)
        duration = params.get("duration")
        stored.duration = None if duration is None else int(duration)
        if kind == "animation":
            stored.width = int(params.get("width") or 0) or None
            stored.height = int(params.get("height") or 0) or None
        return stored

    def _photo_sizes(self, largest: StoredFile, width: int, height: int) -> None:
        """Telegram keeps several scaled copies; the last (largest) is the original."""
        side = max(width, height)
        sizes: list[StoredFile] = []
        for step in _PHOTO_STEPS:
            if step >= side:
                break
            variant = self._new_file("photo", largest.data, largest.filename, "image/jpeg")
            variant.width = max(1, round(width * step / side))
            variant.height = max(1, round(height * step / side))
            sizes.append(variant)
        largest.width, largest.height = width, height
        sizes.append(largest)
        for variant in sizes:
            variant.sizes = sizes

    def _media_content(self, kind: str, stored: StoredFile) -> JSON:
        """The Message field (voice, photo or document) describing ``stored``."""

        def base(f: StoredFile) -> JSON:
            out: JSON = {"file_id": f.file_id, "file_unique_id": f.file_unique_id}
            if f.size is not None:
                out["file_size"] = f.size
            return out

        if kind == "photo":
            return {
                "photo": [{**base(s), "width": s.width, "height": s.height} for s in stored.sizes]
            }
        obj = base(stored)
        if kind in ("voice", "animation"):
            obj["duration"] = stored.duration or 0
        if kind == "animation":
            obj["width"], obj["height"] = stored.width or 0, stored.height or 0
            if stored.filename:
                obj["file_name"] = stored.filename
        if stored.mime_type:
            obj["mime_type"] = stored.mime_type
        if kind == "document" and stored.filename:
            obj["file_name"] = stored.filename
        return {kind: obj}
