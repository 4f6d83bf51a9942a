"""A comparison as the 对标对表 sheet offices keep by hand: one row per matched pair (对应),
per task of A not taken up (未承接) and per task B adds (新增); as rows, CSV or XLSX.

The differences of a pair are written out in words here (`describe`), once, for the sheet,
the command's table and the app.
"""
from __future__ import annotations

import io
from typing import Any

from plangraph.graph.compare import Comparison, PlanTask
from plangraph.graph.export import JOIN, write_csv, write_xlsx

STATUS = {"pair": "对应", "a_only": "未承接", "b_only": "新增"}
SHEET_TITLE = "对标对表"
SHEET_HEADER = ["状态", "上级任务编号", "上级任务", "上级牵头单位", "上级时限",
                "下级任务编号", "下级任务", "下级牵头单位", "下级其他单位", "下级时限",
                "匹配度", "共同关键词", "共同单位", "共同引用",
                "牵头单位变化", "单位变化", "时限变化", "引用变化", "上级任务内容", "下级任务内容"]
SHEET_WIDTHS = {"状态": 8, "上级任务编号": 10, "上级任务": 26, "上级牵头单位": 20, "上级时限": 12,
                "下级任务编号": 10, "下级任务": 26, "下级牵头单位": 20, "下级其他单位": 24, "下级时限": 12,
                "匹配度": 8, "共同关键词": 22, "共同单位": 20, "共同引用": 20, "牵头单位变化": 24,
                "单位变化": 24, "时限变化": 20, "引用变化": 24, "上级任务内容": 60, "下级任务内容": 60}
FORMATS = ("csv", "xlsx")


def _names(names: list[str]) -> str:
    return JOIN.join(names)


def _titles(titles: list[str]) -> str:
    return JOIN.join(f"《{t}》" for t in titles)


def _change(added: str, removed: str, added_label: str, removed_label: str) -> str:
    return "；".join(p for p in ((f"{added_label}:{added}" if added else ""),
                                (f"{removed_label}:{removed}" if removed else "")) if p)


def describe(differences: dict[str, Any]) -> dict[str, str]:
    """A pair's differences in words: lead, units, deadline, citations ("" = no change)."""
    lead, units, cites, due = (differences[k] for k in ("lead", "units", "citations", "deadline"))
    change = due["change"]
    a_due, b_due = _names(due["a"]), _names(due["b"])
    deadline = {"added": f"新增时限:{b_due}", "removed": f"取消时限(原:{a_due})",
                "moved": f"时限{'提前' if due.get('direction') == 'earlier' else '推迟'}:{a_due} → {b_due}",
                "changed": f"时限改为:{b_due}(原:{a_due})"}.get(change, "")
    return {"lead": _change(_names(lead["added"]), _names(lead["removed"]), "新增牵头", "不再牵头"),
            "units": _change(_names(units["added"]), _names(units["removed"]), "新增", "未列"),
            "deadline": deadline,
            "citations": _change(_titles(cites["added"]), _titles(cites["removed"]), "新增引用", "不再引用")}


def _task_cells(t: PlanTask | None) -> list[str]:
    if t is None:
        return ["", "", "", ""]
    return [t.task_id, t.heading, _names(list(t.lead)), _names([d.text for d in t.deadlines])]


def _b_cells(t: PlanTask | None) -> list[str]:
    if t is None:
        return ["", "", "", "", ""]
    others = [u for u in t.units if u not in t.lead]
    return [t.task_id, t.heading, _names(list(t.lead)), _names(others), _names([d.text for d in t.deadlines])]


def sheet_rows(comparison: Comparison) -> list[list[str]]:
    """The sheet's rows (without header): pairs in A's order, then A's tasks not taken up,
    then B's added tasks."""
    rows = []
    for p in comparison.pairs:
        words = describe(p.differences)
        ev = p.evidence
        rows.append([STATUS["pair"], *_task_cells(p.a), *_b_cells(p.b), f"{p.score:.3f}",
                     JOIN.join(k["term"] for k in ev["key_terms"]),
                     JOIN.join(f"{u['a']}—{u['b']}" if u["a"] != u["b"] else u["a"] for u in ev["shared_units"]),
                     _titles([c["b"] for c in ev["shared_citations"]]),
                     words["lead"], words["units"], words["deadline"], words["citations"],
                     p.a.text.strip(), p.b.text.strip()])
    blank_pair = [""] * 8
    for t in comparison.a_only:
        rows.append([STATUS["a_only"], *_task_cells(t), *_b_cells(None), *blank_pair, t.text.strip(), ""])
    for t in comparison.b_only:
        rows.append([STATUS["b_only"], *_task_cells(None), *_b_cells(t), *blank_pair, "", t.text.strip()])
    return rows


def sheet_bytes(comparison: Comparison, fmt: str) -> bytes:
    """The sheet as CSV (UTF-8 with a BOM, for Excel) or XLSX."""
    if fmt == "csv":
        text = io.StringIO()
        write_csv(text, SHEET_HEADER, sheet_rows(comparison))
        return text.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        buf = io.BytesIO()
        write_xlsx(buf, SHEET_TITLE, SHEET_HEADER, sheet_rows(comparison), SHEET_WIDTHS)
        return buf.getvalue()
    raise ValueError(f"unknown sheet format: {fmt!r} (use csv or xlsx)")
