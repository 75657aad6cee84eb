"""Reading a zip archive someone else made, without trusting it.

Every member is checked before anything is read or written: no absolute paths, no `..`, no backslashes or drive
letters, no symlinks or other special files, no duplicate names (also after case folding, for case-insensitive file
systems), no encryption, a bounded number of members, a bounded size per member and in total, and a bounded
compression ratio (a zip bomb inflates tiny members into huge ones). Reads are bounded again by counting bytes,
so a member whose header lies about its size is cut off, not trusted.
"""
from __future__ import annotations

import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Limits:
    max_members: int = 20_000
    max_member_bytes: int = 100 * 1024 * 1024
    max_total_bytes: int = 2 * 1024 * 1024 * 1024
    max_ratio: int = 100  # uncompressed / compressed, for members above ratio_floor
    ratio_floor: int = 1024 * 1024


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _unsafe_name(name: str) -> str | None:
    if not name or len(name) > 400:
        return "an empty or overlong name"
    if "\x00" in name or "\\" in name:
        return "a backslash or NUL character in its name"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    parts = PurePosixPath(name).parts
    if any(part in ("..", ".") for part in name.split("/")):
        return "a “..” or “.” path component (path traversal)"
    if not parts:
        return "an empty path"
    return None


class SafeZip:
    def __init__(self, source: str | IO[bytes], limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        try:
            self._zip = zipfile.ZipFile(source)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise _refuse(f"The file is not a readable zip archive ({exc}).") from None
        if len(infos) > self.limits.max_members:
            raise _refuse(f"The archive has {len(infos):,} members; at most {self.limits.max_members:,} are "
                          "accepted.")
        seen: set[str] = set()
        folded: set[str] = set()
        total = 0
        self._members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            problem = _unsafe_name(name)
            if problem:
                raise _refuse(f"The archive member “{name[:80]}” has {problem}; the archive was refused.")
            mode = info.external_attr >> 16
            if info.create_system == 3 and mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
                kind = "a symbolic link" if stat.S_ISLNK(mode) else "a special file"
                raise _refuse(f"The archive member “{name[:80]}” is {kind}; the archive was refused.")
            if info.flag_bits & 0x1:
                raise _refuse(f"The archive member “{name[:80]}” is encrypted.")
            key = unicodedata.normalize("NFC", name.rstrip("/"))
            if key in seen or key.casefold() in folded:
                raise _refuse(f"The archive holds “{name[:80]}” twice; the archive was refused.")
            seen.add(key)
            folded.add(key.casefold())
            if info.is_dir():
                continue
            if info.file_size > self.limits.max_member_bytes:
                raise _refuse(f"The archive member “{name[:80]}” is {info.file_size:,} bytes; a member may be at "
                              f"most {self.limits.max_member_bytes:,}.")
            total += info.file_size
            if total > self.limits.max_total_bytes:
                raise _refuse(f"The archive unpacks to more than {self.limits.max_total_bytes:,} bytes.")
            if info.file_size > self.limits.ratio_floor and \
                    info.file_size > self.limits.max_ratio * max(info.compress_size, 1):
                raise _refuse(f"The archive member “{name[:80]}” is compressed more than "
                              f"{self.limits.max_ratio}:1, like a zip bomb; the archive was refused.")
            self._members[name] = info

    @property
    def names(self) -> list[str]:
        return list(self._members)

    def __contains__(self, name: str) -> bool:
        return name in self._members

    def read(self, name: str, *, limit: int | None = None) -> bytes:
        """The member's bytes, read in pieces and cut off at the limits whatever its header says."""
        info = self._members.get(name)
        if info is None:
            raise KeyError(f"no member named “{name[:80]}” in the archive")
        cap = min(limit or self.limits.max_member_bytes, self.limits.max_member_bytes)
        out = bytearray()
        try:
            with self._zip.open(info) as handle:
                while chunk := handle.read(64 * 1024):
                    out += chunk
                    if len(out) > cap:
                        raise _refuse(f"The archive member “{name[:80]}” is larger than {cap:,} bytes.")
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
            raise _refuse(f"The archive member “{name[:80]}” is damaged ({exc}).") from None
        return bytes(out)

    def close(self) -> None:
        self._zip.close()
