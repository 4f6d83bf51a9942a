"""Saved web pages: the article body, the page metadata table, encodings, junk dropped."""
from __future__ import annotations

import pytest

from fixture_builders import build_html
from plangraph.ingest.formats.html import iso_date
from plangraph.ingest.read import InputError, read_document

BODY = ("常德市法治政府建设工作方案\n一、总体要求\n"
        "1.优化政府机构设置。2022年底前完成。(牵头单位:市委编办;参加单位:各区县(市)政府)\n"
        "2.加强执法监督。[牵头单位:市司法局]")


def page(body: str, head: str = "", charset: str = "utf-8", before: str = "", after: str = "") -> str:
    return (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"{head}</head><body>{before}{body}{after}</body></html>")


def save(tmp_path, html: str, encoding: str = "utf-8", name: str = "page.html"):
    path = tmp_path / name
    path.write_bytes(html.encode(encoding))
    return path


def test_gov_cn_page(tmp_path):
    meta = {"title": "常德市法治政府建设工作方案", "issuer": "中共常德市委全面依法治市委员会",
            "doc_number": "常法委〔2022〕3号", "date_cn": "2022年06月20日", "index_no": "000014349/2022-00207"}
    raw = read_document(build_html(BODY, tmp_path / "p.html", meta))
    assert raw.format == "html"
    assert raw.metadata == {"title": "常德市法治政府建设工作方案", "issuer": "中共常德市委全面依法治市委员会",
                            "doc_number": "常法委〔2022〕3号", "date": "2022-06-20",
                            "index_no": "000014349/2022-00207", "topic": "综合政务\\其他",
                            "published": "2022-06-28"}
    assert raw.text == BODY  # exactly the article, nothing else


def test_gb2312_page_with_gbk_and_gb18030_characters(tmp_path):
    body = "<p>一、朱镕基同志讲话精神</p><p>二、𠀀字与䶮字</p>"  # 镕 is GBK, not GB2312; 𠀀 is 4-byte GB18030
    raw = read_document(save(tmp_path, page(body, charset="gb2312"), "gb18030"))
    assert raw.text == "一、朱镕基同志讲话精神\n二、𠀀字与䶮字"


def test_wrong_declared_charset_falls_back_to_detection(tmp_path):
    raw = read_document(save(tmp_path, page("<p>" + BODY.replace("\n", "</p><p>") + "</p>", charset="utf-8"), "gbk"))
    assert raw.text == BODY


def test_utf16_page_with_bom(tmp_path):
    path = tmp_path / "p.htm"
    path.write_bytes(b"\xff\xfe" + page("<p>一、总体要求</p>", charset="utf-16").encode("utf-16-le"))
    assert read_document(path).text == "一、总体要求"


def test_page_without_known_container(tmp_path):
    nav = '<div class="menu"><ul><li><a href="/">首页</a></li><li><a href="/a">机构</a></li></ul></div>'
    body = ('<div class="layout"><div class="left-col"><a href="/x">相关链接一</a><a href="/y">相关链接二</a></div>'
            '<div class="main-col">' + "".join(f"<p>{line}</p>" for line in BODY.split("\n")) + "</div></div>")
    foot = '<div class="footer"><p>版权所有 示例市人民政府</p></div><div id="copyright">ICP备案</div>'
    raw = read_document(save(tmp_path, page(body, before=nav, after=foot)))
    assert raw.text == BODY


def test_hanweb_style_metadata_list_and_zoom(tmp_path):
    meta = ('<div class="xxgk_table"><ul><li><span>索引号：</span>11370000/2021-00012</li>'
            '<li><span>发布机构：</span>山东省人民政府办公厅</li><li><span>发文日期：</span>2021-04-15</li>'
            '<li><span>文号：</span>鲁政办字〔2021〕35号</li><li><span>标题：</span>数字山东2021行动方案</li></ul></div>')
    body = '<div id="zoom"><p>一、加快建设整体高效的数字政府</p><p>（一）优化提升“互联网+政务服务”。（省政府办公厅牵头）</p></div>'
    raw = read_document(save(tmp_path, page(meta + body)))
    assert raw.metadata["issuer"] == "山东省人民政府办公厅"
    assert raw.metadata["date"] == "2021-04-15"
    assert raw.metadata["doc_number"] == "鲁政办字〔2021〕35号"
    assert raw.metadata["index_no"] == "11370000/2021-00012"
    assert raw.text.split("\n") == ["数字山东2021行动方案", "一、加快建设整体高效的数字政府",
                                    "（一）优化提升“互联网+政务服务”。（省政府办公厅牵头）"]


def test_task_table_in_a_page(tmp_path):
    table = ("<table><tr><th>序号</th><th>重点任务</th><th>牵头单位</th><th>配合单位</th><th>完成时限</th></tr>"
             "<tr><td>1</td><td>完善执法制度</td><td>市司法局</td><td>市财政局<br>市人社局</td><td>2022年底前</td></tr>"
             "<tr><td colspan='5'>二、能力提升</td></tr>"
             "<tr><td>2</td><td>加强执法培训</td><td rowspan='2'>市委编办</td><td></td><td>长期坚持</td></tr>"
             "<tr><td>3</td><td>推进数字执法</td><td>市大数据局</td><td></td></tr></table>")
    raw = read_document(save(tmp_path, page('<div id="UCAP-CONTENT"><p>一、制度建设</p>' + table + "</div>")))
    assert raw.text.split("\n") == [
        "一、制度建设",
        "1．完善执法制度（牵头单位：市司法局；参加单位：市财政局、市人社局；完成时限：2022年底前）",
        "二、能力提升",
        "2．加强执法培训（牵头单位：市委编办；完成时限：长期坚持）",
        "3．推进数字执法（牵头单位：市委编办；参加单位：市大数据局）",
    ]


def test_data_table_rows_are_tab_separated(tmp_path):
    table = "<table><tr><td>指标</td><td>2020年</td><td>2025年</td></tr><tr><td>覆盖率</td><td>60%</td><td>90%</td></tr></table>"
    raw = read_document(save(tmp_path, page("<p>一、目标</p>" + table)))
    assert raw.text == "一、目标\n指标\t2020年\t2025年\n覆盖率\t60%\t90%"


def test_breaks_and_whitespace(tmp_path):
    body = "<p>一、总体\n   要求<br/>（一）指导&nbsp;思想。<span>坚持</span><b>依法</b>行政。</p><pre>1.  保留\n  原样</pre>"
    raw = read_document(save(tmp_path, page(body)))
    assert raw.text == "一、总体要求\n（一）指导 思想。坚持依法行政。\n1. 保留\n原样"


def test_title_put_first_when_the_body_lacks_it(tmp_path):
    head = '<meta name="ArticleTitle" content="关于印发某市工作方案的通知"><title>关于印发某市工作方案的通知_某市政府网</title>'
    raw = read_document(save(tmp_path, page('<div class="TRS_Editor"><p>一、总体要求。坚持依法行政，建设法治政府。</p></div>', head)))
    assert raw.metadata["title"] == "关于印发某市工作方案的通知"
    assert raw.text.split("\n")[0] == "关于印发某市工作方案的通知"


def test_page_text_is_data(tmp_path):
    body = ("<p>1.&lt;script&gt;alert(1)&lt;/script&gt;依法行政。</p>"
            "<p onclick=\"alert('x')\">2.{{ 7*7 }} ${jndi:ldap://x} 完善制度。</p>"
            '<img src="http://127.0.0.1:9/track.png"><iframe src="http://127.0.0.1:9/"></iframe>')
    raw = read_document(save(tmp_path, page(body)))
    assert raw.text == "1.<script>alert(1)</script>依法行政。\n2.{{ 7*7 }} ${jndi:ldap://x} 完善制度。"


def test_external_entities_are_not_resolved(tmp_path):
    html = ('<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            "<html><body><p>一、总体要求&xxe;</p></body></html>")
    raw = read_document(save(tmp_path, html, name="p.xhtml"))
    assert "root:" not in raw.text and "一、总体要求" in raw.text


def test_page_without_text(tmp_path):
    with pytest.raises(InputError, match="no text"):
        read_document(save(tmp_path, page("<script>var a='一、任务';</script><nav>首页</nav>")))


def test_mhtml(tmp_path):
    html = page("<p>一、总体要求</p><p>1.加强执法监督。(牵头单位:市司法局)</p>", charset="gb2312")
    import base64
    payload = base64.encodebytes(html.encode("gb18030")).decode("ascii")
    mht = ("From: <Saved by Blink>\r\nSubject: plan\r\nMIME-Version: 1.0\r\n"
           'Content-Type: multipart/related; type="text/html"; boundary="----B"\r\n\r\n'
           "------B\r\nContent-Type: text/html; charset=gb2312\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           f"{payload}\r\n------B--\r\n")
    path = tmp_path / "p.mhtml"
    path.write_bytes(mht.encode("ascii"))
    raw = read_document(path)
    assert raw.format == "html"
    assert raw.text == "一、总体要求\n1.加强执法监督。(牵头单位:市司法局)"


@pytest.mark.parametrize("text,iso", [
    ("2018年11月07日", "2018-11-07"), ("2022-6-20 10:00", "2022-06-20"), ("2021.04.15", "2021-04-15"),
    ("二〇二二年六月二十日", "2022-06-20"), ("二○二一年十二月三十一日", "2021-12-31"), ("2022年13月1日", None),
    ("无", None),
])
def test_iso_date(text, iso):
    assert iso_date(text) == iso
