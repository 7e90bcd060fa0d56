"""Render parts across the machine's cores, reusing every part already rendered (by content hash)."""
from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterator, Optional, Sequence

from roadmap.exports import orphans
from roadmap.exports.parts import Rendered, Styles

Progress = Callable[[int, int], None]  # parts done, parts in all
Arrived = Callable[[int, Rendered], None]  # a part's index and the part, as soon as it is there
log = logging.getLogger(__name__)
_pool: Optional[ProcessPoolExecutor] = None
_pool_size = 0
_pool_lock = threading.Lock()


def _render_module() -> ModuleType:
    """The renderer's side (WeasyPrint), imported by the first render, not when the app starts."""
    from roadmap.exports import render

    return render


def part_key(html: str, stylesheet: bytes) -> str:
    """The cache key of a part: the renderer's version, the stylesheet and the HTML itself."""
    import weasyprint  # its version is part of the key (the first render imports it anyway)

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
    """The pool beside this process: `workers` renderers at once counting this process, which
    renders its share too. Kept for the life of the process (the job worker); started by a
    fork server.

    Creating it is quick; its processes start on the first submissions, and each of those
    waits until the fork server has imported WeasyPrint (about a second on a first export).
    """
    global _pool, _pool_size
    workers = max(workers - 1, 1)
    with _pool_lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown()
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["roadmap.exports.render"])
            # Its processes exit when this one ends, even killed outright (see orphans).
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                        initializer=orphans.exit_with, initargs=(os.getpid(),))
            _pool_size = workers
        return _pool


def shutdown() -> None:
    """Stop the worker processes (tests and benchmarks call this at the end)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown()
            _pool = None


def start(workers: int, styles: Styles) -> None:
    """Start the workers (fonts loaded, stylesheets parsed) in the background, now.

    The caller goes on reading the database meanwhile; a pool already running costs nothing.
    """
    if workers > 1:
        pool = _executor(workers)
        threading.Thread(target=_warm, args=(pool, workers, styles), daemon=True).start()


def _warm(pool: ProcessPoolExecutor, workers: int, styles: Styles) -> None:
    for _worker in range(max(workers - 1, 1)):
        try:
            pool.submit(_render_module().warm_up, styles)
        except RuntimeError:  # shut down meanwhile
            return


def pool_running() -> bool:
    """Whether worker processes are up (then one more render costs no start-up)."""
    return _pool is not None


def submit(html: str, styles: Styles, workers: int) -> Future:
    """One part to a worker, while this process does something else; see result()."""
    return _executor(workers).submit(_render_module().render_part, html, styles)


def result(future: Future) -> Rendered:
    """A worker's part, as the main process renders it."""
    try:
        pdf, pages, bookmarks = future.result()
    except BrokenProcessPool:
        shutdown()  # a worker died (out of memory?): the next export starts afresh
        raise
    return Rendered(pdf, pages, [tuple(b) for b in bookmarks])


class _Shares:
    """The parts still to render, costliest first: workers take from the front, we from the back.

    A thread hands the front to the pool (its first hand-overs wait while the workers start);
    this process meanwhile renders from the back. Once everything is handed over, a part not
    yet picked up by a worker can still be cancelled there and rendered here instead.
    """

    def __init__(self, order: list[int], pool: ProcessPoolExecutor, htmls: Sequence[str],
                 styles: Styles) -> None:
        self.order, self.pool, self.htmls, self.styles = order, pool, htmls, styles
        self.front, self.back = 0, len(order)
        self.lock = threading.Lock()
        self.futures: dict[int, Future] = {}
        self.error: Optional[BaseException] = None
        self.feeder = threading.Thread(target=self._feed, daemon=True)
        self.feeder.start()

    def _feed(self) -> None:
        while True:
            with self.lock:
                if self.front >= self.back:
                    return
                index = self.order[self.front]
                self.front += 1
            try:
                self.futures[index] = self.pool.submit(_render_module().render_part,
                                                       self.htmls[index], self.styles)
            except BaseException as error:  # noqa: BLE001 - raised again by ours()
                self.error = error
                return

    def ours(self) -> Iterator[int]:
        """Parts for this process, cheapest first, until the workers have the rest in hand."""
        while True:
            with self.lock:
                if self.back <= self.front:
                    break
                self.back -= 1
                index = self.order[self.back]
            yield index
        self.feeder.join()
        if self.error is not None:
            raise self.error
        for index in reversed(self.order[:self.front]):
            if not self.futures[index].cancel():
                break  # a worker has reached this part: every costlier one is theirs
            del self.futures[index]
            yield index

    def stop(self) -> None:
        """One part failed: hand over nothing more and cancel what no worker has started."""
        with self.lock:
            self.back = self.front
        self.feeder.join()
        for future in self.futures.values():
            future.cancel()


def render_all(htmls: Sequence[str], costs: Sequence[float], styles: Styles, cache: PartCache,
               workers: int, progress: Optional[Progress] = None,
               arrived: Optional[Arrived] = None) -> list[Rendered]:
    """Every part, from the cache where it is there, the rest rendered in parallel.

    The costliest parts go to the workers first; this process renders the cheapest ones
    (see _Shares), so it works instead of waiting, even while the workers start. `arrived`
    hears of each part as soon as it is there (in any order), so the caller can join it
    between renders rather than all at the end.
    """
    keys = [part_key(html, styles.digest) for html in htmls]
    found: dict[int, Rendered] = {}

    def done(index: int, part: Rendered, fresh: bool = True) -> None:
        found[index] = part
        if fresh:
            cache.put(keys[index], part)
        if arrived:
            arrived(index, part)
        if progress:
            progress(len(found), len(htmls))

    missing, cached = [], {}
    for index, key in enumerate(keys):
        part = cache.get(key)
        if part is None:
            missing.append(index)
        else:
            cached[index] = part
    log.info("%d of %d parts from the cache", len(cached), len(htmls))
    if workers <= 1 or not missing or (len(missing) == 1 and not pool_running()):
        for index, part in cached.items():
            done(index, part, fresh=False)
        for index in missing:
            done(index, _render_module().renderer(styles).render(htmls[index]))
        return [found[i] for i in range(len(htmls))]
    shares = _Shares(sorted(missing, key=lambda i: -costs[i]), _executor(workers), htmls, styles)
    try:
        for index, part in cached.items():  # joined while the workers render what changed
            done(index, part, fresh=False)
        for index in shares.ours():
            done(index, _render_module().renderer(styles).render(htmls[index]))
            for other, future in list(shares.futures.items()):  # the workers' parts so far
                if other not in found and future.done() and not future.cancelled():
                    done(other, result(future))
        waiting = {future: index for index, future in shares.futures.items()
                   if index not in found}
        for future in as_completed(waiting):
            done(waiting[future], result(future))
    except BaseException:
        shares.stop()
        raise
    return [found[i] for i in range(len(htmls))]
