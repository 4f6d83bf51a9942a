"""How well `plangraph check` names what the extractor missed, measured on the gold corpus.

A gold statement is *missed* when no unit was read inside it. A finding *names* it when their
spans overlap; a finding that overlaps no missed statement is a *false finding*. The targets
(issue 13): names >= 90% of missed statements, at most one false finding per 20 statements
read correctly.

The corpus as it is gives the extractor few misses, so the measure also runs on damaged
copies: in every third statement the role word is replaced by one the extractor does not
know (牵头单位： -> 主抓单位：, …负责） -> …承担）), as an unseen plan would word it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

LABEL_WORD = re.compile(r"(牵头单位|牵头部门|责任单位|责任部门|配合单位|参加单位|负责部门|指导部门|推进单位)(?=[:：])")
TRAILING_VERB = re.compile(r"(按照职责分工负责|按职责分工负责|负责|牵头|配合)(?=[）)\]]$)")
UNKNOWN_LABEL = "主抓单位"
UNKNOWN_VERB = "承担"


@dataclass
class Measure:
    statements: int = 0
    missed: int = 0
    named: int = 0  # missed statements a finding names
    false_findings: int = 0
    examples: list[str] = field(default_factory=list)  # missed statements no finding names

    def add(self, other: Measure) -> None:
        self.statements += other.statements
        self.missed += other.missed
        self.named += other.named
        self.false_findings += other.false_findings
        self.examples += other.examples

    @property
    def recall(self) -> float:
        return self.named / self.missed if self.missed else 1.0

    @property
    def false_rate(self) -> float:
        read = self.statements - self.missed
        return self.false_findings / read if read else 0.0


def statements_in(text: str, gold: dict) -> list[tuple[int, int]]:
    """Spans of the gold statements in `text`, located in order."""
    spans, pos = [], 0
    for clause in gold["clauses"]:
        i = text.find(clause["text"], pos)
        if i < 0:
            i = text.find(clause["text"])
        if i >= 0:
            spans.append((i, i + len(clause["text"])))
            pos = i + 1
    return spans


def damage(text: str, gold: dict, every: int = 3) -> tuple[str, list[tuple[int, int]]]:
    """`text` with the role word of every `every`-th statement replaced by an unknown one;
    the spans of all statements in the damaged text."""
    out, spans, pos = [], [], 0
    for n, (s, e) in enumerate(statements_in(text, gold)):
        if s < pos:
            continue
        statement = text[s:e]
        if n % every == 0:
            damaged = LABEL_WORD.sub(UNKNOWN_LABEL, statement, count=1)
            if damaged == statement:
                damaged = TRAILING_VERB.sub(UNKNOWN_VERB, statement, count=1)
            statement = damaged
        out.append(text[pos:s])
        start = sum(map(len, out))
        out.append(statement)
        spans.append((start, start + len(statement)))
        pos = e
    out.append(text[pos:])
    return "".join(out), spans


def measure(extraction, spans: list[tuple[int, int]]) -> Measure:
    read = [(a.start, a.end) for t in extraction.tasks for a in t.assignments]
    missed = [(s, e) for s, e in spans if not any(s <= a < e for a, _b in read)]
    findings = [(f.start, f.end) for f in extraction.findings]

    def overlaps(x, y) -> bool:
        return x[0] < y[1] and y[0] < x[1]

    named = [m for m in missed if any(overlaps(m, f) for f in findings)]
    false = [f for f in findings if not any(overlaps(m, f) for m in missed)]
    examples = [extraction.text[s:e] for s, e in missed if (s, e) not in named]
    return Measure(len(spans), len(missed), len(named), len(false), examples)


def measure_corpus(gold_dir: Path, corpus: Path, damaged: bool) -> Measure:
    from plangraph.ingest.pipeline import extract_text

    total = Measure()
    for gold_path in sorted(gold_dir.rglob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        text = (corpus / gold["source"]).read_text(encoding="utf-8").replace("\r\n", "\n")
        spans = statements_in(text, gold)
        if damaged:
            text, spans = damage(text, gold)
        total.add(measure(extract_text(text, gold["source"]), spans))
    return total
