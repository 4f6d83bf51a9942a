"""Time limits: 2022年底前, 到2025年底前, 2022年6月底前, 每年3月1日前, 6月底, 年底前 …

Each form is one row of ``PATTERNS``: a regex and how to turn its groups into the last day
meant (SCHEMA.md: `date` null where the text gives no year; `recurring` "yearly" for 每年).
"""
from __future__ import annotations

import calendar
import re
from bisect import bisect_left, insort
from dataclasses import dataclass
from typing import Callable

from plangraph.ingest.numerals import chinese_to_int

NUM = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"


@dataclass
class FoundDeadline:
    text: str
    date: str | None
    recurring: str | None
    start: int
    end: int


def _month_end(year: int, month: int) -> str | None:
    if not (1 <= month <= 12):
        return None
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _day(year: int, month: int, day: int) -> str | None:
    try:
        if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]:
            return f"{year:04d}-{month:02d}-{day:02d}"
    except (ValueError, OverflowError):
        return None
    return None


def _num(s: str) -> int:
    return int(s) if s.isdigit() else chinese_to_int(s)


Resolver = Callable[[re.Match[str]], "str | None"]

# (pattern, date from the match, recurring); order matters: longer forms first.
# A form that opens with a number or a look-behind starts with a lookahead of its first
# character ((?=\d), (?=年)): it changes no match, and lets `re` skip the other positions fast.
PATTERNS: tuple[tuple[re.Pattern[str], Resolver, str | None], ...] = (
    (re.compile(r"每年" + NUM + r"月" + NUM + r"日(?:前|之前|以前)"), lambda m: None, "yearly"),
    (re.compile(r"每年" + NUM + r"月(?:底|末)?(?:前|之前|以前)"), lambda m: None, "yearly"),
    (re.compile(r"每年(?:第)?[一二三四1-4]季度(?:末|前)?"), lambda m: None, "yearly"),
    (re.compile(r"每年(?:年底|年末|底)(?:前|之前)"), lambda m: None, "yearly"),
    (re.compile(r"每年上半年"), lambda m: None, "yearly"),
    (re.compile(r"(?=\d)(\d{4})年" + NUM + r"月" + NUM + r"日(?:前|之前|以前)"),
     lambda m: _day(int(m.group(1)), _num(m.group(2)), _num(m.group(3))), None),
    (re.compile(r"(?=\d)(\d{4})年" + NUM + r"月(?:底|末)(?:前|之前|以前)?"),
     lambda m: _month_end(int(m.group(1)), _num(m.group(2))), None),
    (re.compile(r"(?=\d)(\d{4})年" + NUM + r"月(?:前|之前|以前)"),
     lambda m: _month_end(int(m.group(1)), _num(m.group(2)) - 1) if _num(m.group(2)) > 1 else f"{int(m.group(1)) - 1}-12-31", None),
    # (a year's end without 前, 到2025年底…, is a target the plans set, not a time limit: not here)
    (re.compile(r"(?=\d)(\d{4})年(?:年底|年末|底|末)(?:前|之前|以前)"), lambda m: f"{int(m.group(1)):04d}-12-31", None),
    (re.compile(r"(?=\d)(\d{4})年(?:第)?([一二三四1-4])季度(?:末|底)?(?:前|之前)"),
     lambda m: _month_end(int(m.group(1)), 3 * _num(m.group(2))), None),
    (re.compile(r"(?=\d)(\d{4})年(?:年)?内(?!容)"), lambda m: f"{int(m.group(1)):04d}-12-31", None),
    (re.compile(r"(?=\d)(\d{4})年(?:前|之前|以前)"), lambda m: f"{int(m.group(1)) - 1:04d}-12-31", None),
    # a month on its own where a time limit stands: "时间节点：2025年3月", "（2021年8月）", a table's cell
    (re.compile(r"(?=\d)(?:(?<=[：:（(])|(?<=^)|(?<=\n))(\d{4})年" + NUM + r"月(?=[）)\n]|$)", re.M),
     lambda m: _month_end(int(m.group(1)), _num(m.group(2))), None),
    (re.compile(r"(?=\d)(\d{4})年上半年(?:前|之前)?(?=完成|前|底)"), lambda m: f"{int(m.group(1)):04d}-06-30", None),
    (re.compile(r"(?=[1-9])(?<![\d年月每])(1[0-2]|[1-9])月(\d{1,2})日(?:前|之前|以前)"), lambda m: None, None),
    (re.compile(r"(?=[1-9])(?<![\d年月每])(1[0-2]|[1-9])月(?:底|末)(?:前|之前|以前)?"), lambda m: None, None),
    (re.compile(r"(?=[1-9])(?<![\d年月每])(1[0-2]|[1-9])月(?:前|之前|以前)"), lambda m: None, None),
    # month alone as a time limit at the head of a clause: "（12月取得明显成效，牵头考核单位：…）"
    (re.compile(r"(?=[1-9])(?<=[（(，,])(1[0-2]|[1-9])月份?(?=取得|完成|实现|建成|上线|启动)"), lambda m: None, None),
    (re.compile(r"(?=年)(?<![\d年每])年(?:底|末)(?:前|之前)"), lambda m: None, None),
    # relative to the document: "（自）本意见印发之日起30日内", "自本方案实施之日起3个月内"
    (re.compile(r"(?=[本印发出施实下公])(?:本(?:意见|方案|通知|办法|计划|决定|细则|规定|措施))?(?:印发|发布|出台|施行|实施|下发|公布)之日起"
                r"(\d{1,3}|[一二三四五六七八九十两]{1,3})(?:个)?(?:工作日|日|天|月|年)(?:内|以内)"), lambda m: None, None),
    # "年内" on its own: within the current year (not 三年内, 今年内 …)
    (re.compile(r"(?=年)(?<![\d〇零一二三四五六七八九十两几每今明当本去近全])年内(?!容)"), lambda m: None, None),
)


# Every form holds 年, 月 or 日 and is at most ~20 characters with its look-arounds, so only the
# text near those characters is searched (the same matches, less text to scan).
DATE_CHARS = re.compile("[年月日]")
WINDOW = 28


def _windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Merged stretches of text within WINDOW characters of a 年 or 月."""
    out: list[list[int]] = []
    for m in DATE_CHARS.finditer(text, start, end):
        s, e = max(start, m.start() - WINDOW), min(end, m.end() + WINDOW)
        if out and s <= out[-1][1]:
            out[-1][1] = e
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether text[start:end] overlaps a span of `taken` (disjoint spans, sorted): only the
    last span starting before `end` can, as it ends last of those."""
    i = bisect_left(taken, (end,)) - 1
    return i >= 0 and taken[i][1] > start


def find_deadlines(text: str, start: int = 0, end: int | None = None) -> list[FoundDeadline]:
    end = len(text) if end is None else end
    found: list[FoundDeadline] = []
    taken: list[tuple[int, int]] = []  # spans of the matches kept: disjoint, sorted
    windows = _windows(text, start, end)
    for pattern, resolve, recurring in PATTERNS:
        for s, e in windows:
            for m in pattern.finditer(text, s, e):
                if _overlaps(taken, m.start(), m.end()):
                    continue
                insort(taken, (m.start(), m.end()))
                found.append(FoundDeadline(m.group(0), resolve(m), recurring, m.start(), m.end()))
    found.sort(key=lambda d: d.start)
    return found
