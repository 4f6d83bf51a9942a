"""Build reader fixtures at test time from the corpus texts (no binary fixtures in the repo).

* `write_encoded`: a text in GB18030, UTF-16 (BOM), UTF-8 with BOM, CRLF ...
* `build_html`: a gov.cn-like saved page around the text: navigation, scripts, a page
  metadata table (索引号 / 发文机关 / 发文字号 / 成文日期 / 标题), share widget and footer.
* `build_docx`: paragraphs (python-docx), optionally each run of numbered tasks that end
  in a responsibility bracket turned into a task-division table
  (序号 | 工作任务 | 牵头单位 | 参加单位 | 责任单位).
* `build_pdf`: an A4 PDF (fpdf2, a CJK TrueType font found with `fc-list :lang=zh`),
  lines wrapped at the page width with a first-line indent, a running head and
  "- N -" page numbers.
"""
from __future__ import annotations

import html
import re
import subprocess
from functools import lru_cache
from pathlib import Path

from shared_corpus import seed_and_dev_files as corpus_files  # noqa: F401 (used by the format tests)


def corpus_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def write_encoded(text: str, path: Path, encoding: str, newline: str = "\n") -> Path:
    """encoding: 'utf-8', 'utf-8-sig', 'gb18030', 'gbk', 'utf-16' (BOM, LE), 'utf-16-be+bom'."""
    body = text.replace("\n", newline)
    if encoding == "utf-16-be+bom":
        data = b"\xfe\xff" + body.encode("utf-16-be")
    else:
        data = body.encode(encoding)
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- blocks

# A numbered task line ending in a responsibility bracket: label, content, bracket body.
_TASK = re.compile(r"^(?P<num>\d{1,3})[.．](?P<content>.+?)"
                   r"[\[(（【](?P<clause>(?:牵头单位|责任单位)[^\[\]()（）【】]*(?:[(（][^()（）]*[)）][^\[\]()（）【】]*)*)"
                   r"[\])）】]\s*$")
_ROLE_PART = re.compile(r"(牵头单位|参加单位|责任单位|配合单位)[:：]")


def _clause_columns(clause: str) -> dict[str, str] | None:
    parts = _ROLE_PART.split(clause)
    if parts[0].strip():
        return None
    columns: dict[str, str] = {}
    for role, units in zip(parts[1::2], parts[2::2]):
        units = units.strip().rstrip(";；,，")
        if not units or role in columns:
            return None
        columns[role] = units
    return columns


def plan_blocks(text: str, tables: bool) -> list[tuple[str, object]]:
    """('p', line) and, with `tables`, ('table', rows) for runs of bracketed task lines."""
    blocks: list[tuple[str, object]] = []
    run: list[list[str]] = []

    def close() -> None:
        if run:
            header = ["序号", "工作任务", "牵头单位", "参加单位", "责任单位"]
            blocks.append(("table", [header, *run]))
            run.clear()

    for line in text.split("\n"):
        m = _TASK.match(line) if tables else None
        columns = _clause_columns(m.group("clause")) if m else None
        if m and columns is not None:
            run.append([m.group("num"), m.group("content"), columns.get("牵头单位", ""),
                        columns.get("参加单位", columns.get("配合单位", "")), columns.get("责任单位", "")])
            continue
        close()
        blocks.append(("p", line))
    close()
    return blocks


# ---------------------------------------------------------------- html

def _wide(ch: str) -> bool:
    import unicodedata
    return unicodedata.east_asian_width(ch) in ("W", "F")


def build_html(text: str, path: Path, meta: dict[str, str] | None = None, encoding: str = "utf-8",
               tables: bool = False) -> Path:
    meta = meta or {}
    title = meta.get("title", "示例文件")
    body = []
    for kind, value in plan_blocks(text, tables):
        if kind == "p":
            # CMSs break long lines in the source; a break between two CJK characters
            # shows as nothing in a browser (and must read as nothing).
            line = html.escape(value)
            cut = next((i for i in range(30, len(line) - 1) if _wide(line[i - 1]) and _wide(line[i])), None)
            if cut:
                line = line[:cut] + "\n  " + line[cut:]
            body.append(f'<p style="text-indent: 2em;">{line}</p>' if value.strip() else "<p><br></p>")
        else:
            rows = value
            cells = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
            trs = [f"<tr>{cells}</tr>"]
            for row in rows[1:]:
                trs.append("<tr>" + "".join(f"<td><p>{html.escape(c)}</p></td>" for c in row) + "</tr>")
            body.append('<table border="1" class="rwfg">' + "\n".join(trs) + "</table>")
    metatable = f"""
<table class="bd1" width="100%" cellpadding="0" cellspacing="1">
<tr><td width="90"><b>索&nbsp;引&nbsp;号：</b></td><td>{html.escape(meta.get('index_no', '000014349/2018-00207'))}</td>
    <td width="90"><b>主题分类：</b></td><td>综合政务\\其他</td></tr>
<tr><td><b>发文机关：</b></td><td>{html.escape(meta.get('issuer', ''))}</td>
    <td><b>成文日期：</b></td><td>{html.escape(meta.get('date_cn', ''))}</td></tr>
<tr><td><b>标　　题：</b></td><td colspan="3">{html.escape(title)}</td></tr>
<tr><td><b>发文字号：</b></td><td>{html.escape(meta.get('doc_number', ''))}</td>
    <td><b>发布日期：</b></td><td>2022年06月28日</td></tr>
</table>"""
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta http-equiv="Content-Type" content="text/html; charset={encoding}">
<meta name="ArticleTitle" content="{html.escape(title)}">
<meta name="PubDate" content="2022-06-28 17:00">
<title>{html.escape(title)}_政府信息公开专栏_示例政府网</title>
<style>.nav li {{ display: inline; }} p {{ text-indent: 2em; }}</style>
<script type="text/javascript">var _hmt = _hmt || []; document.write("一、假任务（牵头单位：脚本单位）");</script>
</head>
<body>
<div class="header"><div class="top-bar"><a href="/">首页</a> | <a href="/login">用户登录</a> | 无障碍</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zhengce">政策</a></li><li><a href="/hudong">互动</a></li>
<li><a href="/fuwu">服务</a></li></ul></div>
<div class="BreadcrumbNav"><a href="/">首页</a> &gt; <a href="/zhengce">政策</a> &gt; 文件库</div>
<div class="wrap">
{metatable}
<div class="article oneColumn pub_border">
<h1>{html.escape(title)}</h1>
<div class="pages-date">2022-06-28 17:00 <span class="font">来源： 示例政府网</span></div>
<div class="pages_content" id="UCAP-CONTENT">
{chr(10).join(body)}
</div>
<div class="editor">责任编辑：王某</div>
<div class="share"><span>扫一扫在手机打开当前页</span><img src="qr.png" alt=""></div>
</div></div>
<nav class="related"><a href="/a">相关稿件：一、另一方案（牵头单位：导航单位）</a></nav>
<footer class="footer"><p>版权所有：示例市人民政府办公室　主办单位：示例市人民政府办公室</p>
<p>网站标识码 4300000000　ICP备00000000号</p></footer>
<script>window.onload = function () {{ console.log("2.脚本任务（责任单位：页脚脚本）"); }};</script>
</body></html>
"""
    path.write_bytes(page.encode(encoding, "xmlcharrefreplace"))
    return path


# ---------------------------------------------------------------- docx

def build_docx(text: str, path: Path, tables: bool = False) -> Path:
    import docx

    document = docx.Document()
    for kind, value in plan_blocks(text, tables):
        if kind == "p":
            document.add_paragraph(value)
        else:
            rows = value
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell_text in enumerate(row):
                    cell = table.cell(r, c)
                    # units one per cell paragraph, as people type them
                    if c in (2, 3, 4) and r > 0 and "、" in cell_text and "(" not in cell_text:
                        parts = cell_text.split("、")
                        cell.text = parts[0]
                        for part in parts[1:]:
                            cell.add_paragraph(part)
                    else:
                        cell.text = cell_text
    document.core_properties.title = "Microsoft Word - 模板"
    document.save(str(path))
    return path


# ---------------------------------------------------------------- pdf

@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, int] | None:
    """(path, index in a collection) of a CJK TrueType font fpdf2 can embed, or None."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file", "fontformat"], capture_output=True,
                             text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted({line.split(":")[0].strip() for line in out.splitlines() if "TrueType" in line})
    preferred = sorted(files, key=lambda f: (0 if "wqy" in f.lower() else 1, f))
    return (preferred[0], 0) if preferred else None


def build_pdf(text: str, path: Path, running_head: str = "示例市人民政府办公室文件",
              font_size: float = 12.0) -> Path:
    from fpdf import FPDF

    font = cjk_font()
    if font is None:
        raise RuntimeError("no CJK TrueType font (fc-list :lang=zh); apt-get install fonts-wqy-microhei")

    class Doc(FPDF):
        def header(self) -> None:
            if not running_head:
                return
            self.set_font("cjk", size=9)
            self.set_y(10)
            self.cell(0, 6, running_head, align="C")
            self.set_xy(self.l_margin, self.t_margin)
            self.set_font("cjk", size=font_size)

        def footer(self) -> None:
            self.set_font("cjk", size=10)
            self.set_y(-15)
            self.cell(0, 6, f"- {self.page_no()} -", align="C")
            self.set_font("cjk", size=font_size)

    pdf = Doc(format="A4")
    pdf.add_font("cjk", fname=font[0], collection_font_number=font[1])
    pdf.set_margins(25, 28, 25)
    pdf.set_auto_page_break(True, margin=25)
    pdf.add_page()
    pdf.set_font("cjk", size=font_size)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    step = font_size * 1.6 / pdf.k  # line height in mm
    indent = pdf.get_string_width("\u3000\u3000")
    first = True
    glyph_width: dict[str, float] = {}
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if first:  # the title, centred
            pdf.multi_cell(0, step, line, align="C", new_x="LMARGIN", new_y="NEXT")
            first = False
            continue
        offset = indent
        current, drawn = "", 0.0
        for ch in line:  # a line's width is the sum of its glyphs' widths (no kerning without shaping)
            if ch not in glyph_width:
                glyph_width[ch] = pdf.get_string_width(ch)
            if drawn + glyph_width[ch] > width - offset:
                pdf.set_x(pdf.l_margin + offset)
                pdf.cell(width - offset, step, current, new_x="LMARGIN", new_y="NEXT")
                current, drawn, offset = "", 0.0, 0
            current += ch
            drawn += glyph_width[ch]
        pdf.set_x(pdf.l_margin + offset)
        pdf.cell(width - offset, step, current, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path
