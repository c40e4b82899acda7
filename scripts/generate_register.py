"""A synthetic national register: firms.csv, planners.csv and the firms' annual-report profiles.csv at the
scale of the real register (docs/domain.md#scale-of-the-register), deterministic for a seed and a date.

About 3,000 firms, 650 of them grade A spread over the regions as the ministry counted grade A firms in 2022
(华北 120, 华东 223, 华中 73, 华南 99, 西南 72, 西北 33, 东北 31), grade B firms in the same proportions; valid
credit codes; registered planners with valid identity numbers, each employed by one firm, at least 10 per grade A
firm and 3 per grade B firm (the staffing rule sets), so about 14,000 planners (the rule's minimums, not a
measured count). Headers are Chinese, as a regulator's export would have them.

    python -m scripts.generate_register --out var/register [--seed 2022] [--firms 3000] [--as-of 2026-11-21]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ledger.certificates.identifiers import (
    CREDIT_CODE_ALPHABET,
    PROVINCES,
    credit_code_check_character,
    id_number_check_character,
    make_ecertificate_id,
)
from ledger.certificates.importer import FIRM_COLUMNS, PLANNER_COLUMNS
from ledger.credit.profiles import PROFILE_HEADERS

REGIONS = {  # grade A firms by region, December 2022 (docs/domain.md#scale-of-the-register)
    "华北": (120, (11, 12, 13, 14, 15)),
    "华东": (223, (31, 32, 33, 34, 35, 36, 37)),
    "华中": (73, (41, 42, 43)),
    "华南": (99, (44, 45, 46)),
    "西南": (72, (50, 51, 52, 53, 54)),
    "西北": (33, (61, 62, 63, 64, 65)),
    "东北": (31, (21, 22, 23)),
}
MINISTRY_CREDIT_CODE = "11100000000013338W"
# the ministry's real type code is not public (docs/domain.md#e-certificate-identifier): configuration in production
ECERT_TYPE_CODE = "DEMO001"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉力永健世广海山仁波宁贵福生龙元全胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"  # noqa: E501
FIRM_TYPES = ("城乡规划设计研究院", "国土空间规划研究院", "规划建筑设计研究院", "城市规划设计院", "规划勘测设计研究院")
FIRM_FORMS = ("有限公司", "", "有限责任公司")
PLACES = "东南西北中新华江海山湖城滨湾川原泉林岭港河洲台阳明光远嘉和安泰宁丰盛瑞德昌荣兴景"
ROADS = ("人民路", "解放路", "中山路", "建设路", "和平路", "文化路", "新华路", "长江路", "黄河路", "朝阳路")


@dataclass(frozen=True)
class Register:
    firms: list[dict[str, str]]
    planners: list[dict[str, str]]
    profiles: list[dict[str, str]] = field(default_factory=list)  # annual-report figures, one row per firm


def generate(seed: int = 2022, firm_count: int = 3000, as_of: dt.date | None = None) -> Register:
    """The register for ``seed``; grade A firms scale with ``firm_count`` (650 of 3,000)."""
    rng = random.Random(seed)
    as_of = as_of or dt.date.today()
    grade_a = max(1, round(firm_count * 650 / 3000))
    provinces_a = _spread(rng, grade_a)
    provinces_b = _spread(rng, firm_count - grade_a)
    codes: set[str] = set()
    names: set[str] = set()
    firms = [
        _firm(rng, i, grade, province, as_of, codes, names)
        for i, (grade, province) in enumerate([("A", p) for p in provinces_a] + [("B", p) for p in provinces_b])
    ]
    rng.shuffle(firms)
    planners = []
    ids: set[str] = set()
    for firm in firms:
        count = rng.randint(10, 12) if firm["资质等级"] == "甲级" else 3
        for _ in range(count):
            planners.append(_planner(rng, len(planners), firm, as_of, ids))
    report_rng = random.Random(seed + 1)  # its own stream: the certificates stay what they were before profiles
    return Register(firms, planners, [_profile(report_rng, firm, as_of) for firm in firms])


def _profile(rng: random.Random, firm: dict[str, str], as_of: dt.date) -> dict[str, str]:
    """Annual-report figures in the grade's range (grade A ≥ 40 technical staff, grade B ≥ 20)."""
    grade_a = firm["资质等级"] == "甲级"
    staff = rng.randint(40, 160) if grade_a else rng.randint(20, 60)
    return {
        PROFILE_HEADERS[0]: firm["统一社会信用代码"],
        PROFILE_HEADERS[1]: str(as_of.year - 1),
        PROFILE_HEADERS[2]: str(staff),
        PROFILE_HEADERS[3]: str(round(staff * rng.uniform(0.1, 0.35))),
        PROFILE_HEADERS[4]: str(rng.randint(10, 80) if grade_a else rng.randint(3, 30)),
    }


def _spread(rng: random.Random, total: int) -> list[int]:
    """Province codes for ``total`` firms in the regions' grade A proportions, provinces within a region alike."""
    weights = {p: count / len(provinces) for count, provinces in REGIONS.values() for p in provinces}
    return rng.choices(list(weights), weights=list(weights.values()), k=total)


def _firm(
    rng: random.Random, index: int, grade: str, province: int, as_of: dt.date, codes: set[str], names: set[str]
) -> dict[str, str]:
    short = PROVINCES[province].removesuffix("省").removesuffix("市")[:3]
    code = _unique(codes, lambda: _credit_code(rng, province))
    name = _unique(names, lambda: f"{short}{_place(rng)}{rng.choice(FIRM_TYPES)}")
    name += rng.choice(FIRM_FORMS)
    valid_from = as_of - dt.timedelta(days=rng.randint(30, 4 * 365))
    issuer_code = MINISTRY_CREDIT_CODE if grade == "A" else _department_code(province)
    number = f"{'甲' if grade == 'A' else '乙'}{province}{index:05d}"
    return {
        "证书编号": f"自资规{number}",
        "单位名称": name,
        "统一社会信用代码": code,
        "法定代表人": _person(rng),
        "技术负责人": _person(rng),
        "住所": f"{PROVINCES[province]}{_place(rng)}区{rng.choice(ROADS)}{rng.randint(1, 400)}号",
        "资质等级": "甲级" if grade == "A" else "乙级",
        "业务范围": "城乡规划编制（国土空间规划编制）",
        "发证机关": "中华人民共和国自然资源部" if grade == "A" else f"{PROVINCES[province]}自然资源厅",
        "决定文号": f"自然资规〔{valid_from.year}〕{rng.randint(1, 300)}号",
        "有效期起": valid_from.isoformat(),
        "有效期止": (_add_years(valid_from, 5) - dt.timedelta(days=1)).isoformat(),
        "电子证照标识": make_ecertificate_id(ECERT_TYPE_CODE, issuer_code, f"{valid_from.year}{number[1:]}"),
    }


def _planner(rng: random.Random, index: int, firm: dict[str, str], as_of: dt.date, ids: set[str]) -> dict[str, str]:
    province = int(firm["统一社会信用代码"][2:4])
    valid_from = as_of - dt.timedelta(days=rng.randint(1, 2 * 365))
    return {
        "注册号": f"注规{valid_from.year}{province}{index:06d}",
        "姓名": _person(rng),
        "公民身份号码": _unique(ids, lambda: _id_number(rng, province)),
        "执业单位统一社会信用代码": firm["统一社会信用代码"],
        "专业": "城乡规划",
        "有效期起": valid_from.isoformat(),
        "有效期止": (_add_years(valid_from, 3) - dt.timedelta(days=1)).isoformat(),
    }


def _unique(seen: set[str], make: Callable[[], str]) -> str:
    while (value := make()) in seen:
        pass
    seen.add(value)
    return value


def _credit_code(rng: random.Random, province: int) -> str:
    prefix = rng.choice(("12", "91", "91", "91"))  # public institutes and companies
    division = f"{province}{rng.randint(1, 20):02d}00"
    body = prefix + division + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
    return body + credit_code_check_character(body)


def _department_code(province: int) -> str:
    body = f"11{province}0000{province:02d}0000001"[:17]
    return body + credit_code_check_character(body)


def _id_number(rng: random.Random, province: int) -> str:
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 35 * 365))
    body = f"{province}{rng.randint(1, 20):02d}{rng.randint(1, 30):02d}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + id_number_check_character(body)


def _place(rng: random.Random) -> str:
    return rng.choice(PLACES) + rng.choice(PLACES)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _add_years(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years) if (day.month, day.day) != (2, 29) else dt.date(day.year + years, 3, 1)


def write(register: Register, out: Path, *, firms: int | None = None) -> tuple[Path, Path]:
    """Write the CSVs (optionally only the first ``firms`` firms and their planners: the demo slice)."""
    out.mkdir(parents=True, exist_ok=True)
    chosen = register.firms[:firms] if firms else register.firms
    codes = {f["统一社会信用代码"] for f in chosen}
    planners = [p for p in register.planners if p["执业单位统一社会信用代码"] in codes]
    profiles = [p for p in register.profiles if p[PROFILE_HEADERS[0]] in codes]
    paths = out / "firms.csv", out / "planners.csv"
    tables = (
        (paths[0], [c.header for c in FIRM_COLUMNS], chosen),
        (paths[1], [c.header for c in PLANNER_COLUMNS], planners),
        (out / "profiles.csv", list(PROFILE_HEADERS), profiles),
    )
    for path, headers, rows in tables:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=headers)
            writer.writeheader()
            writer.writerows(rows)
    return paths


def _count(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("var/register"))
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--firms", type=int, default=3000, help="firms in the register")
    parser.add_argument("--slice", type=int, default=None, help="write only the first N firms and their planners")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="the register's date (today)")
    args = parser.parse_args()
    register = generate(args.seed, args.firms, args.as_of)
    firms_csv, planners_csv = write(register, args.out, firms=args.slice)
    print(f"{firms_csv}: {_count(firms_csv)} firms; {planners_csv}: {_count(planners_csv)} planners")


if __name__ == "__main__":
    main()
