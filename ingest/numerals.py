"""Chinese numerals, both ways, defined once (labels, dates, generated test plans)."""
from __future__ import annotations

CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100}
# A character class of the numeral characters.
CN_NUMERAL = "[" + "".join(CN_DIGITS) + "".join(CN_UNITS) + "]"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_WRITE_DIGITS = "零一二三四五六七八九"


def chinese_to_int(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零三 → 103; digit by digit where no unit is written
    (二〇二二 → 2022, as in dates)."""
    if not any(ch in CN_UNITS for ch in text):
        value = 0
        for ch in text:
            if ch in CN_DIGITS:
                value = value * 10 + CN_DIGITS[ch]
        return value
    total, current = 0, 0
    for ch in text:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (current or 1) * CN_UNITS[ch]
            current = 0
    return total + current


def int_to_chinese(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五, 103 → 一百零三 (1 ≤ n ≤ 999)."""
    if not 0 < n < 1000:
        raise ValueError(f"{n} is out of range 1..999")
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _WRITE_DIGITS[hundreds] + "百"
        if rest and tens == 0:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else _WRITE_DIGITS[tens]) + "十"
    if ones:
        out += _WRITE_DIGITS[ones]
    return out


def read_circled(ch: str) -> int:
    """① → 1 … ⑳ → 20."""
    return CIRCLED.index(ch) + 1
