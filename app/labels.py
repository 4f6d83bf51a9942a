"""The Chinese words the pages show for the graph's identifiers (roles, citation relations,
regulation resolution). Gap kinds have theirs in graph.gaps.GAP_TABLE."""
from __future__ import annotations

ROLE_LABELS = {"lead": "牵头", "participant": "参加", "responsible": "责任", "guide": "指导"}
RELATION_LABELS = {"basis": "依据", "produces": "制定"}
REGULATION_STATUS = {"resolved": "已识别", "form": "按名称形式", "unknown": "未识别"}
