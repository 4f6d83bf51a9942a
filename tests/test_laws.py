"""Legal basis: title normalisation, resolution against law_titles.tsv, form classes."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from plangraph.ingest.laws import (
    LawResolution,
    classify_form,
    form_labels,
    normalize_title,
    resolve_citation,
    split_issuer_prefix,
)

from shared_corpus import CHANGDE_PATH, SHARED, GOLD as SHARED_GOLD  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOLD = SHARED_GOLD / "changde_fazhi_2021-2025.json"
CHANGDE = CHANGDE_PATH

# --------------------------------------------------------------------------- normalisation

@pytest.mark.parametrize("a, b", [
    ("《中华人民共和国个人信息保护法》", "个人信息保护法"),
    ("法治政府建设实施纲要（2021—2025年）", "法治政府建设实施纲要(2021-2025年)"),
    ("法治政府建设实施纲要(2021－2025年)", "法治政府建设实施纲要(2021-2025年)"),
    ("法治政府建设实施纲要(2021–2025年)", "法治政府建设实施纲要(2021-2025年)"),
    ("湖南省实施<中华人民共和国突发事件应对法>办法", "湖南省实施《突发事件应对法》办法"),
    ("湖南省实施〈中华人民共和国突发事件应对法〉办法", "湖南省实施<突发事件应对法>办法"),
    ("重大行政决策程序 暂行条例", "重大行政决策程序暂行条例"),
    ("关于推进“互联网+政务服务”的意见", "关于推进\"互联网+政务服务\"的意见"),
])
def test_spellings_of_one_title_share_a_key(a, b):
    assert normalize_title(a) == normalize_title(b)


def test_key_is_readable_and_distinct_for_different_documents():
    assert normalize_title("《中华人民共和国宪法》") == "宪法"
    assert normalize_title("中华人民共和国") == "中华人民共和国"
    assert normalize_title("湖南省优化营商环境规定") != normalize_title("优化营商环境条例")


# --------------------------------------------------------------------------- issuer prefix

@pytest.mark.parametrize("before, issuer", [
    ("全面贯彻落实国务院", "国务院"),
    ("政务公开力度。对照国务院", "国务院"),
    ("和国务院办公厅", "国务院办公厅"),
    ("有备必审、有错必纠,落实《…》和国务院", "国务院"),
    ("严格执行国务院办公厅印发的", "国务院办公厅"),
    ("根据湖南省人民政府", "湖南省人民政府"),
    ("落实工业和信息化部", "工业和信息化部"),
    ("有关规定和市场监管总局", "市场监管总局"),
    ("省委和省政府", "省政府"),
    ("中共常德市委全面依法治市委员会关于印发", "中共常德市委全面依法治市委员会"),
])
def test_split_issuer_prefix(before, issuer):
    assert split_issuer_prefix(before) == issuer


@pytest.mark.parametrize("before", ["为贯彻落实", "认真执行", "出台", "等制度,制定发布", "湖南省实施", "工作部署", "", "。"])
def test_no_issuer_before_plain_verbs(before):
    assert split_issuer_prefix(before) is None


@pytest.mark.skipif(not CHANGDE.exists(), reason="shared corpus not mounted")
def test_issuer_prefixes_in_the_changde_plan():
    text = CHANGDE.read_text(encoding="utf-8")
    found = {}
    pos = text.find("《")
    while pos >= 0:
        issuer = split_issuer_prefix(text[max(0, pos - 30):pos])
        if issuer:
            found[text[pos + 1:text.index("》", pos)]] = issuer
        pos = text.find("《", pos + 1)
    assert found == {
        "常德市法治政府建设工作方案(2021-2025年)": "中共常德市委全面依法治市委员会",
        "优化营商环境条例": "国务院",
        "法规规章备案条例": "国务院",
        "政府信息公开条例": "国务院",
        "2022年政务公开工作要点": "国务院办公厅",
    }


# --------------------------------------------------------------------------- resolution

def test_issue_examples():
    r = resolve_citation("中华人民共和国个人信息保护法")
    assert (r.status, r.canonical_title, r.level) == ("resolved", "中华人民共和国个人信息保护法", "法律")
    r = resolve_citation("重大行政决策程序暂行条例")
    assert (r.status, r.level, r.publish_date) == ("resolved", "行政法规", "2019-04-20")
    r = resolve_citation("优化营商环境条例", issuer_prefix="国务院")
    assert (r.canonical_title, r.level, r.issuer_level) == ("优化营商环境条例", "行政法规", "国家")
    assert (r.publish_date, r.valid_from) == ("2019-10-22", "2020-01-01")
    r = resolve_citation("政府信息公开条例")
    assert (r.canonical_title, r.level) == ("中华人民共和国政府信息公开条例", "行政法规")


# Every law / regulation the Changde plan cites that law_titles.tsv lists.
CHANGDE_RESOLVED = {
    "中华人民共和国个人信息保护法": ("中华人民共和国个人信息保护法", "法律"),
    "中华人民共和国各级人民代表大会常务委员会监督法": ("中华人民共和国各级人民代表大会常务委员会监督法", "法律"),
    "中华人民共和国突发事件应对法": ("中华人民共和国突发事件应对法", "法律"),
    "宪法": ("中华人民共和国宪法", "宪法"),
    "民法典": ("中华人民共和国民法典", "法律"),
    "优化营商环境条例": ("优化营商环境条例", "行政法规"),
    "重大行政决策程序暂行条例": ("重大行政决策程序暂行条例", "行政法规"),
    "政府信息公开条例": ("中华人民共和国政府信息公开条例", "行政法规"),
    "政府督查工作条例": ("政府督查工作条例", "行政法规"),
    "法规规章备案条例": ("法规规章备案条例", "行政法规"),
}

# The rest: not in the table (local documents, normative documents, plans) -> a form class.
CHANGDE_FORMS = {
    "2022年政务公开工作要点": ("plan", None),
    "国务院办公厅关于全面推行行政规范性文件合法性审核机制的指导意见": ("normative", "国家"),
    "国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知": ("normative", "国家"),
    "常德市个人诚信积分管理办法": ("rules", "市"),
    "常德市人民代表大会及其常务委员会制定地方性法规条例": ("regulation", "市"),
    "常德市人民政府制定地方性法规草案和政府规章办法": ("rules", "市"),
    "常德市人民政府工作规则": ("rules", "市"),
    "常德市企业信用分类分级监管办法": ("rules", "市"),
    "常德市信息化工程建设管理办法": ("rules", "市"),
    "常德市公共数据管理办法": ("rules", "市"),
    "常德市新型智慧城市建设三年行动计划(2021-2023年)": ("plan", "市"),
    "常德市新型智慧城市顶层设计(2021-2025年)": ("plan", "市"),
    "常德市法治政府建设工作方案(2021-2025年)": ("plan", "市"),
    "常德市法治政府建设考核方案": ("plan", "市"),
    "常德市流感大流行应急预案(2021-2025)": ("plan", "市"),
    "常德市科技型中小微企业信贷风险补偿资金管理办法": ("rules", "市"),
    "常德市突发公共卫生事件医疗救援应急预案(2021-2025)": ("plan", "市"),
    "常德市突发公共卫生事件应急预案(2021-2025)": ("plan", "市"),
    "常德市网络安全审查制度(试行)": ("rules", "市"),
    "法治政府建设与责任落实督察工作规定": ("rules", None),
    "法治政府建设实施纲要(2021-2025年)": ("plan", None),
    "湖南省人民政府办公厅关于加强和改进行政应诉工作的实施意见": ("normative", "省"),
    "湖南省优化营商环境规定": ("rules", "省"),
    "湖南省实施<中华人民共和国突发事件应对法>办法": ("regulation", "省"),
    "湖南省政务信息资源共享管理办法": ("rules", "省"),
    "湖南省法治政府建设实施方案(2021-2025年)": ("plan", "省"),
    "湖南省自然灾害和安全生产类突发事件应急处置暂行办法": ("rules", "省"),
    "湖南省行政执法人员和行政执法辅助人员管理办法": ("rules", "省"),
    "湖南省规范性文件管理办法": ("rules", "省"),
    "湖南省规范行政裁量权办法": ("rules", "省"),
}


@pytest.mark.parametrize("title", sorted(CHANGDE_RESOLVED))
def test_changde_statutes_resolve(title):
    r = resolve_citation(title)
    assert r.status == "resolved"
    assert (r.canonical_title, r.level) == CHANGDE_RESOLVED[title]
    assert r.issuer_level == "国家"
    assert r.key == normalize_title(r.canonical_title)


@pytest.mark.parametrize("title", sorted(CHANGDE_FORMS))
def test_changde_other_citations_get_a_form_class(title):
    r = resolve_citation(title)
    assert r.status == "form" and r.canonical_title is None and r.level is None
    assert (r.form_class, r.issuer_level) == CHANGDE_FORMS[title]
    assert r.form_label == form_labels()[r.form_class]


@pytest.mark.skipif(not GOLD.exists(), reason="shared corpus not mounted")
def test_changde_lists_cover_every_gold_citation():
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    titles = {c["title"] for c in gold["citations"]}
    assert titles == set(CHANGDE_RESOLVED) | set(CHANGDE_FORMS)


def test_missing_prc_prefix_and_versions_are_tolerated():
    assert resolve_citation("个人信息保护法").canonical_title == "中华人民共和国个人信息保护法"
    r = resolve_citation("中华人民共和国立法法（2015年修正）")
    assert (r.status, r.canonical_title, r.level) == ("resolved", "中华人民共和国立法法", "法律")
    # several versions: the latest in the table by default, the one in force with as_of
    assert resolve_citation("各级人民代表大会常务委员会监督法").publish_date == "2024-11-08"
    assert resolve_citation("各级人民代表大会常务委员会监督法", as_of="2022-06-20").publish_date == "2006-08-27"
    # a trial version cited without its (试行)
    r = resolve_citation("人民检察院刑事诉讼规则（试行）")
    assert r.canonical_title == "人民检察院刑事诉讼规则（试行）" and r.level == "司法解释"


def test_local_documents_never_match_national_laws():
    r = resolve_citation("常德市优化营商环境条例")
    assert r.status == "form" and r.canonical_title is None and r.issuer_level == "市"
    r = resolve_citation("湖南省个人信息保护办法")
    assert r.status == "form" and r.form_class == "rules"
    # a local issuer in front of a national title is not that national statute
    r = resolve_citation("优化营商环境条例", issuer_prefix="湖南省人民政府")
    assert r.status == "form" and r.issuer_level == "省"
    # but a local regulation in the table resolves with its region
    r = resolve_citation("优化营商环境条例", issuer_prefix="山东省人民政府")
    assert (r.canonical_title, r.level, r.issuer_level) == ("山东省优化营商环境条例", "地方性法规", "省")
    r = resolve_citation("济南市优化营商环境条例")
    assert (r.level, r.issuer_level) == ("地方性法规", "市")


@pytest.mark.parametrize("title, cls", [
    ("中华人民共和国数据安全法", "law"), ("数据安全法(草案)", "law"), ("宪法修正案", "law"),
    ("民法典", "law"), ("常德市城市管理条例", "regulation"),
    ("上海市实施《中华人民共和国某某法》办法", "regulation"),
    ("常德市公共数据管理办法", "rules"), ("某某实施细则", "rules"), ("某某工作规则", "rules"),
    ("某某若干规定(试行)", "rules"),
    ("国务院关于加快推进政务服务标准化规范化便利化的指导意见", "normative"),
    ("国务院办公厅关于印发某某方案的通知", "normative"), ("某某决定", "normative"),
    ("某某实施方案(2021-2025年)", "plan"), ("某某发展规划（2021—2025年）", "plan"),
    ("法治政府建设实施纲要(2021-2025年)", "plan"), ("某某行动计划", "plan"), ("2022年工作要点", "plan"),
    ("某某应急预案", "plan"), ("海峡两岸经济合作框架协议", "agreement"),
    ("内地与香港关于建立更紧密经贸关系的安排", "agreement"),
    ("加强立法", None), ("某某工作", None),
])
def test_form_classes(title, cls):
    assert classify_form(title) == cls


def test_unknown_titles():
    r = resolve_citation("某某工作")
    assert (r.status, r.form_class, r.form_label) == ("unknown", None, None)


def test_form_rules_are_data():
    text = (ROOT / "data" / "law_forms.tsv").read_text(encoding="utf-8")
    assert "form\tregulation\t条例$" in text
    assert set(form_labels()) == {"law", "regulation", "rules", "normative", "plan", "agreement"}


def test_law_titles_copy_matches_shared_data():
    shared = SHARED / "data" / "law_titles.tsv"
    if not shared.exists():
        pytest.skip("shared data not mounted")
    assert (ROOT / "data" / "law_titles.tsv").read_bytes() == shared.read_bytes()


def test_resolution_is_fast():
    resolve_citation("中华人民共和国个人信息保护法")  # index built
    titles = [f"某某条例{i}" for i in range(2000)] + ["中华人民共和国个人信息保护法"]
    t0 = time.perf_counter()
    for t in titles:
        assert isinstance(resolve_citation(t), LawResolution)
    assert time.perf_counter() - t0 < 2.0
