"""Render parts across the machine's cores, reusing every part already rendered (by content hash)."""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable, Optional, Sequence

import weasyprint

from roadmap.exports.render import Rendered, render, render_part

Progress = Callable[[int, int], None]  # parts done, parts in all
_pool: Optional[ProcessPoolExecutor] = None
_pool_size = 0


def part_key(html: str, stylesheet: bytes) -> str:
    """The cache key of a part: the renderer's version, the stylesheet and the HTML itself."""
    digest = hashlib.sha256()
    for piece in (weasyprint.__version__.encode(), hashlib.sha256(stylesheet).digest(),
                  html.encode("utf-8")):
        digest.update(len(piece).to_bytes(8, "big"))
        digest.update(piece)
    return digest.hexdigest()


class PartCache:
    """Rendered parts on disk under their key: <key>.pdf with <key>.json (pages, bookmarks)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _paths(self, key: str) -> tuple[Path, Path]:
        base = self.folder / key[:2] / key
        return base.with_suffix(".pdf"), base.with_suffix(".json")

    def get(self, key: str) -> Optional[Rendered]:
        """The part rendered earlier with this key, or None."""
        pdf, meta = self._paths(key)
        try:
            info = json.loads(meta.read_text())
            data = pdf.read_bytes()
            os.utime(pdf)  # last used now: prune() keeps it
        except (OSError, ValueError):
            return None
        return Rendered(data, info["pages"], [tuple(b) for b in info["bookmarks"]])

    def put(self, key: str, part: Rendered) -> None:
        """Keep a part; written beside and renamed, so a reader never sees half a file."""
        pdf, meta = self._paths(key)
        pdf.parent.mkdir(parents=True, exist_ok=True)
        for path, data in ((pdf, part.pdf), (meta, json.dumps(
                {"pages": part.pages, "bookmarks": part.bookmarks}).encode())):
            temporary = path.with_suffix(f"{path.suffix}.{os.getpid()}.part")
            temporary.write_bytes(data)
            os.replace(temporary, path)


    def prune(self, max_age_days: int = 30) -> int:
        """Forget parts no export has used for a while; how many went."""
        cutoff, gone = time.time() - max_age_days * 86400, 0
        for pdf in self.folder.glob("*/*.pdf"):
            try:
                if pdf.stat().st_mtime < cutoff:
                    pdf.unlink()
                    pdf.with_suffix(".json").unlink(missing_ok=True)
                    gone += 1
            except OSError:
                continue
        return gone


def _executor(workers: int) -> ProcessPoolExecutor:
    """A pool kept for the life of the process (the job worker); started by a fork server."""
    global _pool, _pool_size
    if _pool is None or _pool_size != workers:
        if _pool is not None:
            _pool.shutdown()
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["roadmap.exports.render"])
        _pool, _pool_size = ProcessPoolExecutor(max_workers=workers, mp_context=context), workers
    return _pool


def shutdown() -> None:
    """Stop the worker processes (tests and benchmarks call this at the end)."""
    global _pool
    if _pool is not None:
        _pool.shutdown()
        _pool = None


def render_all(htmls: Sequence[str], base_url: str, roots: Sequence[str], cache: PartCache,
               stylesheet: bytes, workers: int, progress: Optional[Progress] = None) -> list[Rendered]:
    """Every part, from the cache where it is there, the rest rendered in parallel."""
    keys = [part_key(html, stylesheet) for html in htmls]
    found: dict[int, Rendered] = {}
    missing = []
    for index, key in enumerate(keys):
        cached = cache.get(key)
        if cached is None:
            missing.append(index)
        else:
            found[index] = cached
    done = len(found)
    if progress:
        progress(done, len(htmls))
    if workers <= 1 or len(missing) <= 1:
        for index in missing:
            found[index] = render(htmls[index], base_url, roots)
            cache.put(keys[index], found[index])
            done += 1
            if progress:
                progress(done, len(htmls))
    else:
        pool = _executor(workers)
        # Largest parts first, so the last part to finish is a short one.
        order = sorted(missing, key=lambda i: -len(htmls[i]))
        futures: dict[Future, int] = {pool.submit(render_part, htmls[i], base_url, list(roots)): i
                                      for i in order}
        for future in as_completed(futures):
            index = futures[future]
            try:
                pdf, pages, bookmarks = future.result()
            except BrokenProcessPool:
                shutdown()  # a worker died (out of memory?): the next export starts afresh
                raise
            found[index] = Rendered(pdf, pages, [tuple(b) for b in bookmarks])
            cache.put(keys[index], found[index])
            done += 1
            if progress:
                progress(done, len(htmls))
    return [found[i] for i in range(len(htmls))]
