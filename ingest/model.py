"""Plain dataclasses for what extraction finds; `to_json` gives the SCHEMA.md object.

Every span (`start`, `end`) is a character offset into the cleaned-but-not-rewritten
source text (newlines normalised to ``\\n``), so any view can point back at the source.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_ID = "plangraph.extract/1"

# SCHEMA.md `role`: who leads, takes part in, answers for, or guides (指导: supervises, does not
# carry out) a task. The words that state each role are data: data/role_words.tsv.
ROLES = ("lead", "participant", "responsible", "guide")


@dataclass
class Assignment:
    unit: str
    mention: str
    role: str  # one of ROLES
    collective: bool
    start: int
    end: int
    canonical: str | None = None


@dataclass
class Citation:
    title: str
    mention: str
    relation: str  # "basis" | "produces"
    start: int
    end: int
    issuer_prefix: str | None = None  # issuer written right before 《: 国务院《优化营商环境条例》


@dataclass
class Deadline:
    text: str
    date: str | None
    recurring: str | None
    start: int
    end: int


@dataclass
class Task:
    id: str
    labels: list[str]
    heading: str
    text: str
    start: int
    end: int
    section: str | None = None  # id of the top-level group (e.g. "2.1")
    section_title: str | None = None
    assignments: list[Assignment] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)


@dataclass(frozen=True)
class FindingKind:
    """One kind of place the extractor could not read (ingest/review.py finds them)."""
    name: str  # the identifier (`plangraph check` / `plangraph findings` JSON, --kind)
    zh: str  # the short Chinese name the app shows
    en: str  # the short English name the app shows beside it
    description: str  # one line: what a finding of this kind is


# What `plangraph check` names, in the order findings of one place are listed: the one table
# the CLI's choices, the app's labels and the stores' checks read.
FINDING_TABLE: tuple[FindingKind, ...] = (
    FindingKind("unread_statement", "未读出的分工表述", "statement not read",
                "a bracket, labelled line or table cell that holds a role word or lists bodies, and gave no unit"),
    FindingKind("unknown_unit", "形式不明的单位", "unknown unit",
                "a unit read from a labelled list whose name ends like no body (…局, …委, …办 …)"),
    FindingKind("task_without_units", "未标单位的任务", "task without units",
                "a task without units among siblings that nearly all have them"),
    FindingKind("unlabelled_number", "未识别的编号行", "unread numbered line",
                "a line that starts like a numbered item but was not taken as one"),
)
FINDING_KINDS = tuple(k.name for k in FINDING_TABLE)
FINDINGS = {k.name: k for k in FINDING_TABLE}


@dataclass(frozen=True)
class Finding:
    kind: str  # one of FINDING_KINDS
    text: str
    start: int
    end: int
    task_id: str | None = None  # the task it lies in


@dataclass
class DocumentInfo:
    source: str
    id: str
    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    date: str | None = None
    sha256: str | None = None  # of the text as decoded
    format: str = "txt"
    extractor: str = ""  # ingest.pipeline.EXTRACTOR_VERSION that made this extraction


@dataclass
class Extraction:
    document: DocumentInfo
    text: str
    tasks: list[Task] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)  # outside every task
    deadlines: list[Deadline] = field(default_factory=list)  # outside every task
    warnings: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # what could not be read (not in to_json)
    # the text's words as extraction cut them (ingest.words.cut: start offsets, words; not in
    # to_json), which plan comparison reads each task's key terms from (None: cut when needed,
    # graph.compare_text.extraction_task_terms)
    words: tuple[list[int], list[str]] | None = field(default=None, repr=False, compare=False)

    def to_json(self, include_text: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": SCHEMA_ID,
            "document": asdict(self.document),
            "tasks": [asdict(t) for t in self.tasks],
            "citations": [asdict(c) for c in self.citations],
            "deadlines": [asdict(d) for d in self.deadlines],
            "warnings": list(self.warnings),
        }
        if include_text:
            out["text"] = self.text
        return out

    def check_json(self) -> dict[str, Any]:
        """The object `plangraph check --format json` prints: the document and the findings."""
        return {"document": asdict(self.document), "findings": [asdict(f) for f in self.findings]}
