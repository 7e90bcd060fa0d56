"""Free WeasyPrint's reference cycles while one large document is laid out and written.

A layout leaves its garbage as reference cycles: the parse tree, every element's cascaded and
computed styles and the layout context once the pages exist, and each repagination's discarded
pages (the contents' page numbers take two more passes). Python's full collection runs only
when the objects that survived the last one have grown by a quarter, so in a worker that holds
a few hundred thousand objects already, a 200-item portfolio's cycles (about 650,000 objects)
were still held while its PDF was written: the peak was 633 MB where 500 is the target.
Collecting at each repagination and between layout and writing keeps it under (bench/
pdf_refresh.py --standalone), for about two CPU seconds of full collections.
"""
from __future__ import annotations

import gc
import logging
from contextlib import contextmanager
from typing import Any, Iterator

PROGRESS = logging.getLogger("weasyprint.progress")  # WeasyPrint announces each layout pass here


def _at_repagination(record: logging.LogRecord) -> bool:
    """A logger filter: collect when a layout pass starts over, and drop every progress record
    (nobody reads them; the level is lowered only so that this filter sees them)."""
    if "Repagination" in str(record.msg):
        gc.collect()
    return False


@contextmanager
def collected() -> Iterator[None]:
    """Collect before the layout, at every repagination inside it, and when it is done.

    The filter sits on a process-wide logger: lean renders run one at a time (the refresh
    worker takes one job at a time; the command line makes one file)."""
    gc.collect()  # what the caller dropped before (gathered data, an earlier document)
    level = PROGRESS.level
    PROGRESS.addFilter(_at_repagination)
    PROGRESS.setLevel(logging.INFO)
    try:
        yield
    finally:
        PROGRESS.removeFilter(_at_repagination)
        PROGRESS.setLevel(level)


def drop_layout(document: Any, _pdf: Any) -> None:
    """A WeasyPrint finisher: every PDF object is made (pages drawn, structure tree built),
    so the laid-out boxes and the parse tree are let go before the file is serialised."""
    for page in document.pages:
        page._page_box = None
        page.links, page.anchors, page.forms = [], {}, {None: []}
    document._html = None
    gc.collect()
