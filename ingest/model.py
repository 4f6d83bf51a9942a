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


# What `plangraph check` names (ingest/review.py): places the extractor could not read.
FINDING_KINDS = ("unread_statement", "unknown_unit", "task_without_units", "unlabelled_number")


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
