"""The ingest engine: plan files and folders into a graph store, one result per file.

    for result in ingest_paths(store, ["plans/", "more/plan.docx"], jobs=2, force=False):
        print(result.line())

Used by `plangraph ingest`, the app's import button and the bench. What it does, per file
in path order (a folder gives its plan files, sorted; an unreadable folder a `skipped`
result of its own):

* identity: a file already in the store (same resolved path) keeps its document id and is
  replaced, or skipped when its text and the extractor are unchanged; a file whose text is
  already stored under another path or name is skipped as "same as X" (`force`: extracted
  again and stored as X); any other file gets its stem as id, or `stem~2`, `stem~3` … when
  another file already has that id (with a warning);
* extraction (and the graph records) in `jobs` worker processes, started fresh (spawn: they
  inherit no file or lock of this process) and ended with it: they die with it, also when
  it is killed (Linux parent-death signal, and a watch on the parent);
* writing in this process: one document per transaction on the embedded store, NEO4J_BATCH
  per transaction on Neo4j (a failed batch is written again one by one); a file is
  reported `ok` only once its document is committed, so an interrupted ingest keeps every
  document it reported;
* when the store stops answering (StoreUnavailable: Neo4j down), every file not yet
  written fails at once with that reason, instead of each waiting for the store.

`IngestRun` (what `ingest_paths` returns) iterates the results and tells, at any time,
how many documents were saved and which file is in progress (for an interrupted run).
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.graph.errors import StoreError, StoreUnavailable
from plangraph.ingest.read import SUFFIXES, InputError

if TYPE_CHECKING:
    from plangraph.graph.records import DocumentRecords
    from plangraph.graph.store import GraphStore

NEO4J_BATCH = 50  # documents per Neo4j write transaction (each statement carries all their rows)
# files extracted ahead of the writer, per worker: when writing is the slower side (a large
# store), the records waiting for it stay this many, not the whole folder's
AHEAD_PER_WORKER = 8


@dataclass
class FileResult:
    """What happened to one path: status ok | skipped | failed, and the rest of its line."""
    path: str
    status: str
    message: str
    document_id: str | None = None
    warnings: list[str] = field(default_factory=list)  # extraction warnings of an ok document

    def line(self) -> str:
        return status_line(self.status, self.path, self.message)


def status_line(status: str, path: str, text: str) -> str:
    """One line of `plangraph ingest`: ok / warning / skipped / failed, the file, what happened."""
    return f"{status:<8} {path}: {text}"


# ---------------------------------------------------------------- the files

def plan_files(paths: Sequence[str]) -> list[tuple[str, str | None]]:
    """(path, skip reason or None) in the order given; a folder gives its plan files (the
    suffixes ingest.read reads), recursively and sorted, hidden ones left out, and each
    subfolder it cannot read as ("folder", "permission denied"). ValueError: an empty path."""
    out: list[tuple[str, str | None]] = []
    for raw in paths:
        if not str(raw).strip():
            raise ValueError("an empty path was given (a folder or file is needed)")
        p = Path(raw)
        if p.is_dir():
            out.extend(_folder(p))
        elif p.is_file() and p.suffix.lower() not in SUFFIXES:
            out.append((str(raw), f"not a plan file type ({p.suffix or 'no suffix'})"))
        else:
            out.append((str(raw), None))  # a missing file fails in the reader with a clear message
    return out


def _folder(root: Path) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    unreadable: list[str] = []

    def refused(err: OSError) -> None:
        unreadable.append(err.filename or str(root))

    for folder, subfolders, names in os.walk(root, onerror=refused):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        found.extend((os.path.join(folder, n), None) for n in names
                     if not n.startswith(".") and Path(n).suffix.lower() in SUFFIXES)
    found.extend((f, "permission denied") for f in unreadable)
    found.sort(key=lambda item: item[0])
    if not found:
        return [(str(root), "no plan files in this folder")]
    return found


# ---------------------------------------------------------------- the worker side

@dataclass
class Unchanged:
    """The file's text and the extractor match its stored document: nothing to do."""
    document_id: str


@dataclass
class SameAs:
    """The file's text is already stored under another path or name."""
    document_id: str
    source: str


@dataclass
class Extracted:
    records: "DocumentRecords"
    text_sha256: str


@dataclass
class _Job:
    path: str
    document_id: str  # the id it gets if written as a new document
    source: str  # its resolved path, stored as the document's source
    stored: tuple[str, str] | None  # (text sha256, extractor) of its own stored document
    force: bool
    note: str = ""  # a warning about its id, for its ok line


_STORED_TEXTS: dict[str, tuple[str, str]] = {}  # text sha256 -> (document id, source), per worker


def extract(raw):
    """The extraction step (a seam for tests): ingest.pipeline on a read document."""
    from plangraph.ingest.pipeline import extract_raw
    return extract_raw(raw)


def _prepare(job: _Job) -> Unchanged | SameAs | Extracted | BaseException:
    """Read, decide, extract and build the records of one file; never raises (a worker
    must not die): an exception is returned and reported for this file."""
    try:
        from plangraph.graph.records import build_graph_records
        from plangraph.ingest.pipeline import EXTRACTOR_VERSION, text_sha256
        from plangraph.ingest.read import read_document
        raw = read_document(job.path)
        sha = text_sha256(raw.text)
        if job.stored is not None and not job.force and job.stored == (sha, EXTRACTOR_VERSION):
            return Unchanged(job.document_id)
        document_id = job.document_id
        other = _STORED_TEXTS.get(sha)
        if other is not None and job.stored is None:
            if not job.force:
                return SameAs(*other)
            document_id = other[0]  # --force: extracted again, stored as that document
        extraction = extract(raw)
        extraction.document.id = document_id
        extraction.document.source = job.source
        return Extracted(build_graph_records(extraction), sha)
    except Exception as err:  # noqa: BLE001 - reported per file
        return err


def _worker_start(stored_texts: dict[str, tuple[str, str]], parent: int) -> None:
    """In each worker: the stored texts; Ctrl-C is the parent's to handle; die with the parent."""
    _STORED_TEXTS.clear()
    _STORED_TEXTS.update(stored_texts)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(Exception):  # Linux: the kernel ends us when the parent ends
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)

    def watch() -> None:  # elsewhere: poll the parent
        import time
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)
    threading.Thread(target=watch, name="plangraph-parent-watch", daemon=True).start()


def in_order(pool, function, items: Sequence[Any], ahead: int) -> Iterator[Any]:
    """function(item) for each item, computed in `pool` (a multiprocessing Pool), yielded in
    order, with at most `ahead` items handed out and not yet taken by the caller. Pool.imap
    would hand out every item at once, and keep every result the caller is not ready for."""
    handed: deque = deque()
    rest = iter(items)
    for item in islice(rest, max(1, ahead)):
        handed.append(pool.apply_async(function, (item,)))
    while handed:
        result = handed.popleft().get()
        for item in islice(rest, 1):
            handed.append(pool.apply_async(function, (item,)))
        yield result


# ---------------------------------------------------------------- the run

class IngestRun:
    """The results of ingesting some paths, in path order (iterate it once)."""

    def __init__(self, store: "GraphStore", paths: Sequence[str], jobs: int = 2, force: bool = False,
                 batch_size: int | None = None):
        self.store, self.jobs, self.force = store, max(1, int(jobs)), force
        self.batch_size = batch_size or (NEO4J_BATCH if store.kind == "neo4j" else 1)
        self.files = plan_files(paths)
        self.total = len(self.files)
        self.saved: list[str] = []  # ids of the documents written, in order (each then reported ok)
        self.done = 0  # results yielded
        self.in_progress: str | None = None  # the first file not reported yet
        self._down: StoreError | None = None  # the store stopped answering
        self._pool = None

    # -- identities, decided before any file is read
    def _jobs(self) -> tuple[list[_Job], dict[str, tuple[str, str]]]:
        """A job per file to read, with the id it is stored under; the stored texts."""
        stored = self.store.documents()
        by_source = {resolved_path(d.source): d for d in stored if d.source}
        taken = {d.document_id: resolved_path(d.source) for d in stored}
        texts = {d.sha256: (d.document_id, d.source) for d in stored if d.sha256}
        jobs = []
        for path, skip in self.files:
            if skip:
                continue
            source = resolved_path(path)
            own = by_source.get(source)
            if own is not None:
                jobs.append(_Job(path, own.document_id, source, (own.sha256, own.extractor), self.force))
                continue
            stem = Path(path).stem or "document"
            document_id, n = stem, 2
            while document_id in taken and taken[document_id] != source:
                document_id, n = f"{stem}~{n}", n + 1
            note = "" if document_id == stem else \
                f"another file already has the id {stem} ({taken[stem]}); this one is stored as {document_id}"
            taken[document_id] = source
            jobs.append(_Job(path, document_id, source, None, self.force, note))
        return jobs, texts

    def __iter__(self) -> Iterator[FileResult]:
        return self._run()

    def _run(self) -> Iterator[FileResult]:
        with self.store.bulk_writes():  # the store may put off upkeep until the run ends
            yield from self._results()

    def _results(self) -> Iterator[FileResult]:
        jobs, texts = self._jobs()
        notes = {j.path: j.note for j in jobs}
        writer = _Writer(self)
        seen_texts: dict[str, str] = {}  # text sha256 -> document id written in this run
        outcomes = self._outcomes(jobs, texts)
        try:
            for path, skip in self.files:
                self.in_progress = path
                if skip:
                    yield from writer.after_queue(FileResult(path, "skipped", skip))
                    continue
                if self._down is not None:  # the store stopped answering: no file waits for it
                    yield from writer.after_queue(FileResult(path, "failed", f"not written: {self._down}"))
                    continue
                outcome = next(outcomes)
                if isinstance(outcome, Unchanged):
                    result = FileResult(path, "skipped", f"unchanged ({outcome.document_id} already in the store)",
                                        outcome.document_id)
                elif isinstance(outcome, SameAs):
                    result = FileResult(path, "skipped", f"same as {outcome.document_id} ({outcome.source}), "
                                                         "already in the store (--force: extract it again)",
                                        outcome.document_id)
                elif isinstance(outcome, BaseException):
                    result = FileResult(path, "failed", _reason(outcome))
                elif outcome.text_sha256 in seen_texts and not self.force:
                    earlier = seen_texts[outcome.text_sha256]
                    result = FileResult(path, "skipped", f"same as {earlier} (above)", earlier)
                elif self._unchanged(outcome.records):  # extracted again (a new extractor), same records
                    result = FileResult(path, "skipped", f"unchanged ({outcome.records.document_id} already in "
                                                         "the store)", outcome.records.document_id)
                else:
                    seen_texts[outcome.text_sha256] = outcome.records.document_id
                    yield from writer.add(path, outcome.records, notes.get(path, ""))
                    continue
                yield from writer.after_queue(result)
            yield from writer.flush()
            self.in_progress = None
        except KeyboardInterrupt:
            # stopped (Ctrl-C, SIGTERM): write what is extracted already, then stop
            with contextlib.suppress(Exception):
                yield from writer.flush()
            raise
        finally:
            self._close_pool()

    def _unchanged(self, records: "DocumentRecords") -> bool:
        """The store holds exactly these records already (not asked with force)."""
        if self.force:
            return False
        try:
            return self.store.fingerprint(records.document_id) == records.document.props.get("fingerprint")
        except StoreError:
            return False  # the write will say what is wrong

    def _outcomes(self, jobs: list[_Job], texts: dict[str, tuple[str, str]]) -> Iterator[Any]:
        """The jobs' outcomes in order: in this process (jobs=1 or one file), else in workers."""
        if self.jobs <= 1 or len(jobs) < 2:
            _STORED_TEXTS.clear()
            _STORED_TEXTS.update(texts)
            return (_prepare(j) for j in jobs)
        import multiprocessing
        ctx = multiprocessing.get_context("spawn")
        workers = min(self.jobs, len(jobs))
        self._pool = ctx.Pool(workers, initializer=_worker_start, initargs=(texts, os.getpid()))
        return in_order(self._pool, _prepare, jobs, ahead=workers * AHEAD_PER_WORKER)

    def _close_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()  # the workers end now, whatever they were doing
            pool.join()

    def store_down(self, err: StoreError) -> None:
        self._down = err


class _Writer:
    """Writes documents `batch_size` at a time and holds back the results of the files after
    a queued one, so results come in path order and `ok` only once committed."""

    def __init__(self, run: IngestRun) -> None:
        self.run = run
        self.pending: list[tuple[str, Any, list[str]]] = []  # (path, records, warnings)
        self.held: list[FileResult] = []  # results of files after the first pending one

    def after_queue(self, result: FileResult) -> Iterator[FileResult]:
        if self.pending:
            self.held.append(result)
            return
        self.run.done += 1
        yield result

    def add(self, path: str, records, note: str) -> Iterator[FileResult]:
        self.pending.append((path, records, [note] if note else []))
        if len(self.pending) >= self.run.batch_size:
            yield from self.flush()

    def flush(self) -> Iterator[FileResult]:
        pending, self.pending = self.pending, []
        held, self.held = self.held, []
        if pending:
            for result in self._write(pending):
                self.run.done += 1
                yield result
        for result in held:
            self.run.done += 1
            yield result

    def _write(self, pending: list[tuple[str, Any, list[str]]]) -> list[FileResult]:
        store, run = self.run.store, self.run
        results: list[Any]
        if run._down is not None:
            results = [run._down] * len(pending)
        else:
            try:
                results = store.write_documents([r for _, r, _ in pending])
            except StoreUnavailable as err:
                run.store_down(err)
                results = [err] * len(pending)
            except Exception as err:  # noqa: BLE001 - nothing of the batch was written: one by one
                results = [err] if len(pending) == 1 else [self._write_one(r) for _, r, _ in pending]
        out = []
        for (path, records, notes), result in zip(pending, results):
            if isinstance(result, BaseException):
                reason = f"not written: {result}" if isinstance(result, StoreUnavailable) else _reason(result)
                out.append(FileResult(path, "failed", reason, records.document_id))
                continue
            run.saved.append(result.document_id)
            how = "replaced" if result.replaced else "new"
            warnings = [n for n in notes if n] + [str(w) for w in records.document.props.get("warnings") or []]
            unlinked = f"; its links with {result.unlinked} plans removed (plangraph link them again)" \
                if result.unlinked else ""
            out.append(FileResult(path, "ok", f"{result.document_id} ({how}): {result.tasks} tasks, {result.units} "
                                              f"units, {result.regulations} regulations{unlinked}", result.document_id,
                                  warnings))
        return out

    def _write_one(self, records) -> Any:
        if self.run._down is not None:
            return self.run._down
        try:
            return self.run.store.write_document(records)
        except StoreUnavailable as err:
            self.run.store_down(err)
            return err
        except Exception as err:  # noqa: BLE001 - reported for this file
            return err


def ingest_paths(store: "GraphStore", paths: Sequence[str], jobs: int = 2, force: bool = False) -> IngestRun:
    """Ingest plan files and folders into `store`: an IngestRun, iterated for one
    FileResult per file in path order (see the module docstring)."""
    return IngestRun(store, paths, jobs, force)


def resolved_path(path: str) -> str:
    """The absolute, symlink-free form of a path: how a document's source is stored and matched."""
    try:
        return str(Path(path).expanduser().resolve())
    except (OSError, RuntimeError):
        return str(path)


def _reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    line = text[0] if text else ""
    if isinstance(err, (InputError, StoreError)):
        return line or type(err).__name__
    return f"{type(err).__name__}: {line}" if line else type(err).__name__  # a bug on one file: no traceback


__all__ = ["ingest_paths", "IngestRun", "FileResult", "plan_files", "resolved_path", "status_line", "NEO4J_BATCH",
           "extract"]
