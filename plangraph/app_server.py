"""The explorer's server process: warm the store up, then Streamlit's own `streamlit run`.

Streamlit runs nothing until a browser connects, so without this the first visitor after a
start would wait for what every later one finds ready: the store (the embedded graph read and
indexed; Neo4j's connection, schema check and first queries) and the pages' libraries
(pandas, altair, pyvis). Done in the background instead, that work would take the interpreter
from the server as it sends the browser its first page, so it is done first (app.warm_up):
the server answers once the store is ready (`WARM_UP_WAIT_S` at most; a
slow or failed warm-up goes on or ends in the background, and the page that needs the store
reports any error). `plangraph app` and the browser tests run the explorer through here.
"""
from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import threading
from collections.abc import Iterator

log = logging.getLogger("plangraph.app_server")

WARM_UP_WAIT_S = 60.0


@contextlib.contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Streamlit warns "No runtime found" for each cached function defined or called before
    its server exists; the functions work all the same once it does, and the answers the
    warm-up cached are found by the pages."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _warm_up_quietly() -> None:
    try:
        import streamlit  # noqa: F401 - its loggers set their own level as they are made
        with _quiet("streamlit.runtime.caching.cache_data_api"):
            from plangraph.app.warm_up import warm_up as warm_up_app
            warm_up_app()
    except Exception as err:  # noqa: BLE001 - the pages show store errors themselves
        log.debug("warm-up stopped: %s", err)
    _release_freed_memory()


def _release_freed_memory() -> None:
    """Give back to the system the heap the warm-up freed (the task links of a drawing of every
    plan: tens of MB). glibc's malloc keeps it otherwise, and the pages' memory comes on top
    of it (bench/README.md, "Issue 14's last targets"). Nothing happens where there is no glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def warm_up(wait_s: float = WARM_UP_WAIT_S) -> bool:
    """Warm the store up in a thread and wait for it (at most wait_s); True when it finished."""
    worker = threading.Thread(target=_warm_up_quietly, name="plangraph-warm-up", daemon=True)
    worker.start()
    worker.join(wait_s)
    return not worker.is_alive()


def _skip_repl_check() -> None:
    """Streamlit's first element in a process checks once whether it runs in a Python REPL
    (to warn that apps are run with `streamlit run`) by walking inspect.stack(), which
    resolves the file of every loaded module, on the first visitor's time (bench/README.md,
    "Answers kept whole on Neo4j, first visits"). This process is `streamlit run` itself, so
    the check is marked done. Without that private flag (another Streamlit) nothing changes."""
    from streamlit import delta_generator
    if hasattr(delta_generator, "_use_warning_has_been_displayed"):
        delta_generator._use_warning_has_been_displayed = True


def _freeze_long_lived() -> None:
    """Move every object made so far (the libraries, the store, the warm-up's drawing) out of
    the cycle collector's walk. They live as long as the server, and every full collection,
    one every few pages, walked them all: a pause any page could hit (bench/README.md,
    "Answers kept whole on Neo4j, first visits"). Collected once first, so nothing frozen
    is garbage."""
    gc.collect()
    gc.freeze()


def main() -> None:
    warm_up()
    _skip_repl_check()
    _freeze_long_lived()
    from streamlit.web.cli import main as streamlit_main
    streamlit_main(prog_name="streamlit")  # the same command line as `python -m streamlit`


if __name__ == "__main__":
    main()
