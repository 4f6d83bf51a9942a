"""Units: alias folding, collective flag, kind and level rules (all kept as data in data/)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from plangraph.ingest.units import (
    UnitInfo,
    canonical_unit,
    describe_unit,
    document_level,
    document_region,
    is_collective,
    kind_label,
    kind_labels,
    known_unit_names,
    normalize_unit,
    qualify_unit,
    unit_kind,
    unit_level,
)

from shared_corpus import GOLD as SHARED_GOLD  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOLD = SHARED_GOLD / "changde_fazhi_2021-2025.json"

# --------------------------------------------------------------------------- aliases

def test_width_and_space_folding():
    assert normalize_unit(" 各区县（市）政府 ") == "各区县(市)政府"
    assert canonical_unit("市 司法局") == "市司法局"
    assert canonical_unit("市委党校（常德行政学院）") == "市委党校(常德行政学院)"


@pytest.mark.parametrize("written, canonical", [
    ("市发改委", "市发展改革委"),
    ("市发展和改革委员会", "市发展改革委"),
    ("国家发展和改革委员会", "国家发展改革委"),
    ("市人社局", "市人力资源社会保障局"),
    ("省人力资源和社会保障厅", "省人力资源社会保障厅"),
    ("人力资源和社会保障部", "人力资源社会保障部"),
    ("人社部", "人力资源社会保障部"),
    ("市住房和城乡建设局", "市住房城乡建设局"),
    ("市住建局", "市住房城乡建设局"),
    ("市卫健委", "市卫生健康委"),
    ("国家卫生健康委员会", "国家卫生健康委"),
    ("市工信局", "市工业和信息化局"),
    ("市应急局", "市应急管理局"),
    ("应急部", "应急管理部"),
    ("市市场监督管理局", "市市场监管局"),
    ("国家市场监督管理总局", "市场监管总局"),
])
def test_department_short_forms_fold_by_suffix(written, canonical):
    assert canonical_unit(written) == canonical


@pytest.mark.parametrize("written, canonical", [
    ("人行常德市中心支行", "中国人民银行常德市中心支行"),
    ("人民银行", "中国人民银行"),
    ("中华人民共和国商务部", "商务部"),
    ("中共常德市委全面依法治市委员会", "常德市委全面依法治市委员会"),
])
def test_prefix_rules(written, canonical):
    assert canonical_unit(written) == canonical


@pytest.mark.parametrize("written, canonical", [
    ("市纪委市监委", "市纪委监委"),
    ("县纪委县监委", "县纪委监委"),
    ("市委办", "市委办公室"),
    ("市人大办", "市人大常委会办公室"),
    ("市政协办", "市政协办公室"),
    ("市政府办", "市政府办公室"),
    ("常德市人民政府办公室", "常德市政府办公室"),
    ("市人民政府", "市政府"),
    ("市中院", "市中级人民法院"),
    ("市检察院", "市人民检察院"),
    ("市人民检察院", "市人民检察院"),
    ("市人大常委会法制工作委员会", "市人大常委会法工委"),
])
def test_regex_and_office_rules(written, canonical):
    assert canonical_unit(written) == canonical


def test_bare_central_names_fold_only_in_national_documents():
    # A State Council document writes ministries and bureaus bare.
    assert canonical_unit("发展改革委") == "国家发展改革委"
    assert canonical_unit("卫生健康委") == "国家卫生健康委"
    assert canonical_unit("税务总局") == "国家税务总局"
    assert canonical_unit("民航局") == "中国民航局"
    # The same bare word in a city plan is not the national body.
    assert canonical_unit("统计局", document_level="市") == "统计局"
    assert canonical_unit("统计局", region="常德市") == "统计局"


def test_same_body_in_two_documents_is_one_name():
    # 国发 writes 卫生健康委, 国办发 writes 国家卫生健康委: one node.
    assert canonical_unit("卫生健康委") == canonical_unit("国家卫生健康委")
    # Changde writes 市住房和城乡建设局, Jinan 市住房城乡建设局: same form of name.
    assert canonical_unit("市住房和城乡建设局") == canonical_unit("市住房城乡建设局")
    assert canonical_unit("人行常德市中心支行") == canonical_unit("中国人民银行常德市中心支行")


def test_region_qualifies_level_only_prefixes():
    assert canonical_unit("市司法局", region="常德市") == "常德市司法局"
    assert canonical_unit("常德市司法局", region="常德市") == "常德市司法局"
    assert canonical_unit("市发改委", region="包头市") == "包头市发展改革委"
    assert canonical_unit("省司法厅", region="山东省") == "山东省司法厅"
    # two cities' bureaus stay apart
    assert canonical_unit("市司法局", region="常德市") != canonical_unit("市司法局", region="济南市")
    # 市民政局 is 市 + 民政局; 市场监管总局 is national and never qualified
    assert qualify_unit("市民政局", "常德市") == "常德市民政局"
    assert qualify_unit("市场监管总局", "常德市") == "市场监管总局"
    assert qualify_unit("市场监管局", "常德市") == "常德市市场监管局"
    assert qualify_unit("省司法厅", "常德市") == "省司法厅"


def test_alias_rules_are_data():
    text = (ROOT / "data" / "unit_aliases.tsv").read_text(encoding="utf-8")
    assert "suffix\t发改委\t发展改革委" in text
    assert "人行\t中国人民银行" in text
    assert "工业和信息化部" in known_unit_names()


# --------------------------------------------------------------------------- collective

@pytest.mark.parametrize("name", [
    "市政府各部门", "市政府其他有关部门", "市政府有关部门", "各区县(市)政府", "各区县（市）政府",
    "各有关部门", "相关部门", "各地区", "各市政府", "相关部门及各地区", "各级政府", "有关单位",
    "各成员单位", "联席会议成员单位", "县级以上政府", "省有关部门", "市相关部门", "其他有关部门",
    "各区县(市)人大常委会", "各区县(市)委全面依法治区县(市)办", "区县(市)政府", "市直各单位",
])
def test_collective_names(name):
    assert is_collective(name)


@pytest.mark.parametrize("name", [
    "市司法局", "市政府", "市政府办", "国务院办公厅", "市人大常委会法工委", "济南高新区管委会",
    "市纪委市监委", "常德经济开发区", "人行常德市中心支行", "县政府", "市委全面依法治市办",
])
def test_named_bodies_are_not_collective(name):
    assert not is_collective(name)


def test_collective_is_never_merged_into_a_named_body():
    for name in ("市政府各部门", "相关部门", "各区县(市)人民政府", "有关单位"):
        canon = canonical_unit(name)
        assert is_collective(canon), (name, canon)
    assert canonical_unit("各区县（市）人民政府") == "各区县(市)政府"


# --------------------------------------------------------------------------- kinds

@pytest.mark.parametrize("name, kind", [
    ("市委编办", "party"), ("省委宣传部", "party"), ("中共常德市委", "party"),
    ("中央网信办", "party"), ("市纪委市监委", "party"), ("各区县(市)党委", "party"),
    ("市发展改革委", "government_department"), ("市司法局", "government_department"),
    ("省司法厅", "government_department"), ("人力资源社会保障部", "government_department"),
    ("海关总署", "government_department"), ("市政府办", "government_department"),
    ("省地方金融监管局", "government_department"), ("市政府各部门", "government_department"),
    ("市政府", "government"), ("国务院", "government"), ("各区县(市)政府", "government"),
    ("各市政府", "government"), ("济南市政府", "government"), ("XX镇人民政府", "government"),
    ("市人大常委会法工委", "congress"), ("市人大监察和司法委", "congress"),
    ("各区县(市)人大常委会", "congress"),
    ("市政协社会法制和民族宗教委", "cppcc"), ("市政协办", "cppcc"),
    ("市中级人民法院", "court"), ("最高人民法院", "court"),
    ("市人民检察院", "procuratorate"),
    ("常德经济开发区", "development_zone"), ("常德高新技术开发区", "development_zone"),
    ("济南高新区管委会", "development_zone"), ("济南新旧动能转换起步区管委会", "development_zone"),
    ("中国国家铁路集团有限公司", "enterprise"), ("中国铁路总公司", "enterprise"),
    ("人行常德市中心支行", "financial"), ("中国人民银行山东省分行", "financial"),
    ("国家金融监督管理总局山东监管局", "financial"), ("银保监会", "financial"),
    ("市委党校(常德行政学院)", "research"), ("中国社会科学院", "research"),
    ("市工商联", "mass_organization"), ("市法学会", "mass_organization"),
    ("市社科联", "mass_organization"), ("团市委", "mass_organization"),
    ("市公共资源交易中心", "public_institution"), ("省档案馆", "public_institution"),
    ("各地区", "collective"), ("有关单位", "collective"),
])
def test_kind_rules(name, kind):
    assert unit_kind(name) == kind


def test_kind_labels_are_chinese_and_cover_every_kind():
    labels = kind_labels()
    assert labels["party"] == "党委机构"
    assert labels["government_department"] == "政府部门"
    rules = (ROOT / "data" / "unit_kinds.tsv").read_text(encoding="utf-8").splitlines()
    kinds_used = {line.split("\t")[0] for line in rules if line and not line.startswith(("#", "label", "kind\t"))}
    assert kinds_used <= set(labels)
    assert kind_label("no_such_kind") == "其他"


# The Changde plan's units (gold clauses[].assignments[].unit) and the kind each must get.
CHANGDE_KINDS = {
    "市委编办": "party", "市政府办": "government_department",
    "市政府各部门": "government_department", "各区县(市)政府": "government",
    "市行政审批局": "government_department", "市发展改革委": "government_department",
    "市商务局": "government_department", "市市场监管局": "government_department",
    "市政府其他有关部门": "government_department", "市司法局": "government_department",
    "各区县(市)人大常委会": "congress", "人行常德市中心支行": "financial",
    "市委统战部": "party", "市政协社会法制和民族宗教委": "cppcc",
    "市工商联": "mass_organization", "市委组织部": "party", "市人大监察和司法委": "congress",
    "市中级人民法院": "court", "市人民检察院": "procuratorate", "市委全面依法治市办": "party",
    "市委改革办": "party", "市科技局": "government_department", "市财政局": "government_department",
    "市人社局": "government_department", "市人大常委会法工委": "congress", "市纪委市监委": "party",
    "市委巡察办": "party", "市审计局": "government_department",
    "市政府有关部门": "government_department", "市委政法委": "party",
    "常德经济开发区": "development_zone", "常德高新技术开发区": "development_zone",
    "市公安局": "government_department", "市应急局": "government_department",
    "市工信局": "government_department", "市卫健委": "government_department",
    "市委网信办": "party", "市委宣传部": "party", "市民政局": "government_department",
    "市生态环境局": "government_department", "市住房和城乡建设局": "government_department",
    "市信访局": "government_department", "市委办": "party", "市人大办": "congress",
    "市政协办": "cppcc", "市统计局": "government_department", "各区县(市)党委": "party",
    "各区县(市)委全面依法治区县(市)办": "party", "市法学会": "mass_organization",
    "市委党校(常德行政学院)": "research", "市社科联": "mass_organization",
}


def _changde_gold_units() -> dict[str, bool]:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    return {a["unit"]: a["collective"] for c in gold["clauses"] for a in c["assignments"]}


def test_every_changde_unit_gets_its_kind():
    got = {u: unit_kind(u) for u in CHANGDE_KINDS}
    assert got == CHANGDE_KINDS
    assert "other" not in got.values()


@pytest.mark.skipif(not GOLD.exists(), reason="shared corpus not mounted")
def test_changde_kind_list_covers_the_gold_file_and_collective_flags_agree():
    gold = _changde_gold_units()
    assert set(gold) == set(CHANGDE_KINDS)
    for unit, collective in gold.items():
        assert is_collective(unit) == collective, unit


# --------------------------------------------------------------------------- levels

@pytest.mark.parametrize("name, doc_level, level", [
    ("国家发展改革委", None, "国家"), ("国务院办公厅", None, "国家"), ("中央网信办", None, "国家"),
    ("人力资源社会保障部", None, "国家"), ("商务部", "市", "国家"), ("市场监管总局", None, "国家"),
    ("卫生健康委", None, "国家"), ("中国人民银行", None, "国家"),
    ("省司法厅", None, "省"), ("湖南省人民政府", None, "省"), ("北京市司法局", None, "省"),
    ("中国人民银行山东省分行", None, "省"), ("国家金融监督管理总局山东监管局", None, "省"),
    ("市司法局", "市", "市"), ("市司法局", None, "市"), ("市司法局", "省", "市"),
    ("市司法局", "区县", "区县"),  # a 县级市's own 市司法局
    ("济南市政府", "省", "市"), ("各市政府", "省", "市"), ("人行常德市中心支行", "市", "市"),
    ("各区县(市)政府", "市", "区县"), ("各区县(市)人大常委会", "市", "区县"),
    ("县政府", None, "区县"), ("桃源县司法局", None, "区县"), ("武陵区人民政府", None, "区县"),
    ("浦东新区人民政府", None, "区县"),
    ("各乡镇(街道)", "区县", "乡镇"), ("XX镇人民政府", None, "乡镇"), ("XX街道办事处", None, "乡镇"),
    ("常德经济开发区", "市", "市"), ("济南高新区管委会", "市", "市"), ("相关部门", "国家", "国家"),
    ("审批服务局", "市", "市"), ("各地区", "国家", None), ("县级以上政府", "市", None),
    # region chains: the lowest region named decides
    ("常德市武陵区人民政府", None, "区县"), ("北京市朝阳区司法局", None, "区县"),
    ("湖南省常德市司法局", None, "市"), ("常德市社区矫正管理局", None, "市"),
    ("常德市经济技术开发区管委会", "市", "市"), ("国家税务总局常德市税务局", None, "市"),
    ("中国银保监会常德监管分局", "市", "市"),
])
def test_level_rules(name, doc_level, level):
    assert unit_level(name, doc_level) == level


@pytest.mark.parametrize("issuer, title, level, region", [
    ("国务院", "国务院关于支持自由贸易试验区深化改革创新若干措施的通知", "国家", None),
    ("国务院办公厅", "关于切实解决老年人运用智能技术困难的实施方案", "国家", None),
    (None, "关于切实解决老年人运用智能技术困难的实施方案", None, None),
    ("山东省人民政府办公厅", "数字山东2021行动方案", "省", "山东省"),
    (None, "数字山东2021行动方案", "省", "山东省"),
    ("中共常德市委全面依法治市委员会", "常德市法治政府建设工作方案(2021-2025年)", "市", "常德市"),
    (None, "常德市法治政府建设工作方案(2021-2025年)", "市", "常德市"),
    ("包头市人民政府办公室", None, "市", "包头市"),
    ("北京市人民政府", None, "省", "北京市"),
    (None, "内地与香港关于建立更紧密经贸关系的安排", None, None),
    (None, "加快数字化高质量发展打造数字先锋城市推进方案", None, None),
])
def test_document_level_and_region(issuer, title, level, region):
    assert document_level(issuer, title) == level
    assert document_region(issuer, title) == region


def test_describe_unit():
    info = describe_unit("市发改委", document_level="市")
    assert info == UnitInfo(canonical="市发展改革委", kind="government_department", kind_label="政府部门",
                            level="市", collective=False, name="市发改委")
    info = describe_unit("各区县（市）政府", document_level="市", region="常德市")
    assert (info.canonical, info.kind, info.level, info.collective) == ("各区县(市)政府", "government", "区县", True)
    info = describe_unit("市司法局", document_level="市", region="常德市")
    assert info.canonical == "常德市司法局" and info.kind_label == "政府部门"


# --------------------------------------------------------------------------- jieba dictionary

def _user_dict() -> dict[str, tuple[int, str]]:
    out = {}
    for line in (ROOT / "data" / "jieba_user_dict.txt").read_text(encoding="utf-8").splitlines():
        word, freq, tag = line.split(" ")
        out[word] = (int(freq), tag)
    return out


def test_jieba_dictionary_format_and_content():
    entries = _user_dict()
    for word in ("国家发展改革委", "人力资源社会保障部", "市司法局", "市委编办", "牵头单位", "参加单位",
                 "责任单位", "配合单位", "按职责分工负责", "省工业和信息化厅", "市纪委市监委"):
        assert word in entries, word
    assert all(freq > 0 and tag for freq, tag in entries.values())
    assert entries["市司法局"][1] == "nt" and entries["牵头单位"][1] == "n"


@pytest.mark.skipif(not GOLD.exists(), reason="shared corpus not mounted")
def test_jieba_keeps_changde_units_whole():
    jieba = pytest.importorskip("jieba")
    tok = jieba.Tokenizer()
    tok.load_userdict(str(ROOT / "data" / "jieba_user_dict.txt"))
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    checked = 0
    for clause in gold["clauses"]:
        tokens = set(tok.cut(clause["text"]))
        for a in clause["assignments"]:
            if re.search(r"[()（）]", a["unit"]) or a["unit"] not in clause["text"]:
                continue  # jieba always cuts at brackets
            assert a["unit"] in tokens, (a["unit"], "/".join(tok.cut(clause["text"])))
            checked += 1
    assert checked > 100
