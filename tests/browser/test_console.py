"""The console, the portal and the notices in headless Chromium, each person with a real wallet injected
(``tests.browser.wallets``): everything is done by clicking, signed in the browser, relayed to a real anvil and
read back by the indexer."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from eth_account import Account
from playwright.sync_api import Browser, Page, expect

from ledger.certificates.identifiers import credit_code_check_character
from ledger.certificates.vocabulary import Grade
from scripts.samples import firm_request
from tests.chain_helpers import advance_time, chain_now
from tests.conftest import Served
from wallet.devkeys import dev_account

from .wallets import Person, WalletSite, serve

DAY = 86400
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x1f\x15\xc4\x89" + b"\0" * 16


@pytest.fixture
def site(served: Served, browser: Browser) -> Iterator[WalletSite]:
    yield from serve(served, browser)


def zhejiang_firm(index: int) -> str:
    body = f"91330106MA2TCK{index:02d}A"
    return body + credit_code_check_character(body)


def files(*named: tuple[str, str, bytes]) -> list[dict[str, object]]:
    return [{"name": name, "mimeType": kind, "buffer": data} for name, kind, data in named]


def regulator(site: WalletSite, role: str, width: int = 1280) -> Person:
    person = site.person(dev_account(role, site.served.deployed.w3.eth.chain_id), width=width)
    person.sign_in("/console")
    return person


def file_first(site: WalletSite, code: str, name: str) -> tuple[Person, str]:
    """A new firm signs in to the portal and files a first application with two dossier files; its id."""
    firm = site.person()
    firm.sign_in("/portal")
    page = firm.open("/portal/apply")
    firm.act(
        "首次申请（乙级）",
        {"统一社会信用代码": code, "单位名称": name},
        files=files(("申请表.pdf", "application/pdf", PDF), ("营业执照.png", "image/png", PNG)),
    )
    expect(page.locator("[data-stage]").first).to_have_attribute("data-stage", "FILED")
    application = re.search(r"/portal/applications/(0x[0-9a-f]{64})", page.url)
    assert application is not None, page.url
    return firm, application.group(1)


def test_an_application_walked_from_filing_to_certificate_by_clicks_alone(site: WalletSite) -> None:
    name = "杭州点选规划设计有限公司"
    firm, application = file_first(site, zhejiang_firm(1), name)
    expect(firm.page.locator("ul.files li")).to_have_count(2)
    expect(firm.page.locator("ul.files")).to_contain_text("哈希一致")

    province = regulator(site, "zhejiang")
    row = province.page.locator(f'tr[data-task="accept"]:has-text("{name}")')
    expect(row).to_have_count(1)
    row.get_by_role("link").click()
    expect(province.page.locator("ul.files li")).to_have_count(2)
    expect(province.page.locator("table.checks")).to_contain_text("注册规划师人数")
    province.act("一次性告知补正", {"需补正的全部材料": "缺技术人员社保缴纳证明"})
    expect(province.page.locator("[data-stage]").first).to_have_attribute("data-stage", "COMPLETION_REQUESTED")

    firm.open(f"/portal/applications/{application}")
    expect(firm.page.locator("ol.timeline")).to_contain_text("缺技术人员社保缴纳证明")  # the authority's words
    firm.act("提交补正材料", files=files(("社保证明.pdf", "application/pdf", PDF + b"%social\n")))
    expect(firm.page.locator("[data-stage]").first).to_have_attribute("data-stage", "FILED")

    province.page.reload()
    province.act("受理")
    province.act("审查意见", {"审查意见": "经审查，符合乙级资质标准。"})
    province.act("发布公示", {"公示天数": "10"})
    expect(province.page.locator("[data-stage]").first).to_have_attribute("data-stage", "IN_NOTICE")

    citizen = site.person()
    page = citizen.open("/notices")
    page.get_by_role("link", name=name).click()
    expect(page.locator("blockquote.opinion")).to_contain_text("符合乙级资质标准")
    page.get_by_role("button", name="用钱包登录", exact=True).click()  # the one beside the objection
    expect(page.get_by_role("form", name="提出异议", exact=True)).to_be_visible()
    citizen.act("提出异议", {"异议内容": "技术负责人同时在另一单位任职。"})
    expect(page.locator("li.objection.open")).to_contain_text("技术负责人同时在另一单位任职")

    province.page.reload()
    expect(province.page.get_by_role("form", name="答复异议", exact=True)).to_be_visible()
    province.act("答复异议", {"处理结果": "经核查社保记录，该技术负责人仅在本单位任职，异议不成立。"})
    citizen.page.reload()
    expect(citizen.page.locator("ul.objections")).to_contain_text("异议不成立")
    expect(citizen.page.locator("li.objection.open")).to_have_count(0)

    advance_time(site.served.deployed.w3, 12 * DAY)  # past the notice's end
    province.page.reload()
    number = "浙规乙字33TEST0001"
    province.act("准予许可并发证", {"证书编号": number, "单位地址": "浙江省杭州市西湖区文三路1号",
                                   "法定代表人": "陈点选", "技术负责人": "周核验"})  # fmt: skip
    expect(province.page.locator("[data-stage]").first).to_have_attribute("data-stage", "APPROVED")

    public = site.person()
    page = public.open(f"/c/{number}")
    expect(page.get_by_role("status")).to_have_attribute("data-status", "ACTIVE")
    expect(page.locator("article.certificate")).to_contain_text(application)  # traceable to its application
    firm.open("/portal")
    expect(firm.page.locator("table.plain").first).to_contain_text(number)  # the firm's key holds it


def test_a_wrong_credit_code_is_marked_beside_its_field_and_nothing_is_filed(site: WalletSite) -> None:
    firm = site.person()
    firm.sign_in("/portal")
    page = firm.open("/portal/apply")
    form = page.get_by_role("form", name="首次申请（乙级）", exact=True)
    code = zhejiang_firm(7)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")  # the check character does not fit
    form.get_by_label("统一社会信用代码").fill(wrong)
    form.get_by_label("单位名称").fill("杭州校验位测试规划所")
    form.locator('input[type="file"]').set_input_files(files(("申请表.pdf", "application/pdf", PDF)))
    form.locator("button[type=submit]").click()
    expect(form.locator(".outcome")).to_have_attribute("data-kind", "error")
    expect(form.get_by_label("统一社会信用代码")).to_have_attribute("aria-invalid", "true")
    expect(form.locator("small.field-error")).to_contain_text("统一社会信用代码有误")
    assert firm.wallet.signed == ["personal_sign"]  # signed in, and asked to sign nothing else


def test_a_refusal_is_shown_to_the_applicant_with_its_reasons(site: WalletSite) -> None:
    firm, application = file_first(site, zhejiang_firm(2), "杭州不予许可规划所")
    province = regulator(site, "zhejiang")
    province.open(f"/console/applications/{application}")
    province.act("受理")
    province.act("不予许可", {"不予许可的理由": "技术人员数量不足乙级标准。"})
    expect(province.page.locator("[data-stage]").first).to_have_attribute("data-stage", "REFUSED")
    expect(province.page.get_by_role("form")).to_have_count(0)  # nothing left to do
    firm.open(f"/portal/applications/{application}")
    expect(firm.page.locator("[data-stage]").first).to_have_attribute("data-stage", "REFUSED")
    expect(firm.page.locator("ol.timeline")).to_contain_text("技术人员数量不足乙级标准")


def test_a_grade_a_upgrade_goes_through_the_province_and_then_the_ministry(site: WalletSite) -> None:
    w3, holder = site.served.deployed.w3, Account.create()
    code, held = zhejiang_firm(6), "浙规乙字33TCKUP1"
    request = {**firm_request(held, Grade.B, now=chain_now(w3), credit_code=code), "holder": holder.address}
    site.served.deployed.sender("ministry").transact(site.served.deployed.registry.functions.issue(request))
    advance_time(w3, 731 * DAY)  # grade B held two years
    site.caught_up()
    firm = site.person(holder)
    firm.sign_in("/portal")
    firm.open("/portal/apply?kind=UPGRADE")
    firm.act("资质升级（乙级→甲级）", files=files(("升级申请表.pdf", "application/pdf", PDF + b"%upgrade\n")))
    application = firm.page.url.rsplit("/", 1)[1]

    province = regulator(site, "zhejiang")
    province.open(f"/console/applications/{application}")
    province.act("受理")
    province.act("审查意见", {"审查意见": "初审同意，报自然资源部审查。"})
    expect(province.page.locator("[data-stage]").first).to_have_attribute("data-stage", "PROVINCE_REVIEWED")
    expect(province.page.get_by_role("form", name="审查意见", exact=True)).to_have_count(0)  # the ministry's now

    ministry = regulator(site, "ministry")
    row = ministry.page.locator(
        f'tr[data-task="ministry-review"]:has-text("{held[:4]}"), tr[data-task="ministry-review"]'
    )
    expect(row.first).to_be_visible()
    ministry.open(f"/console/applications/{application}")
    ministry.act("审查意见", {"审查意见": "经审查，符合甲级资质标准。", "同时公示天数": "10"})
    expect(ministry.page.locator("[data-stage]").first).to_have_attribute("data-stage", "IN_NOTICE")
    advance_time(w3, 12 * DAY)
    ministry.page.reload()
    decision = {"证书编号": "自资规甲33TCKUP1", "单位地址": "浙江省杭州市西湖区文三路2号",
                "发证机关": "中华人民共和国自然资源部", "法定代表人": "王升级", "技术负责人": "李甲级"}  # fmt: skip
    ministry.act("准予许可并发证", decision)
    expect(ministry.page.locator("[data-stage]").first).to_have_attribute("data-stage", "APPROVED")
    page = site.person().open("/c/自资规甲33TCKUP1")
    expect(page.get_by_role("status")).to_have_attribute("data-status", "ACTIVE")
    expect(page.locator("p.kind")).to_contain_text("甲级")
    page.goto(f"{site.url}/c/{held}")
    expect(page.get_by_role("status")).to_have_attribute("data-status", "SUPERSEDED")


def test_another_province_sees_nothing_and_its_hand_crafted_act_is_refused(site: WalletSite) -> None:
    name = "杭州辖区测试规划所"
    _, application = file_first(site, zhejiang_firm(3), name)
    beijing = regulator(site, "beijing")
    expect(beijing.page.locator("main")).not_to_contain_text(name)
    response = beijing.page.goto(f"{site.url}/console/applications/{application}")
    assert response is not None and response.status == 404
    beijing.open("/console")
    refusal = beijing.hand_crafted("Accept", application)
    assert refusal["status"] == 403, refusal
    assert refusal["body"]["type"] == "/problems/missing-role"
    assert "无权" in refusal["body"]["zh"]
    zhejiang = regulator(site, "zhejiang")
    expect(zhejiang.page.locator(f'tr[data-task="accept"]:has-text("{name}")')).to_have_count(1)  # still to accept


def test_a_wallet_that_refuses_to_sign_leaves_nothing_half_done(site: WalletSite) -> None:
    _, application = file_first(site, zhejiang_firm(4), "杭州拒签测试规划所")
    province = regulator(site, "zhejiang")
    w3 = site.served.deployed.w3
    relayer = dev_account("relayer", w3.eth.chain_id).address
    sent = w3.eth.get_transaction_count(relayer)
    province.open(f"/console/applications/{application}")
    province.wallet.refusing = True
    form = province.page.get_by_role("form", name="受理", exact=True)
    form.locator("button[type=submit]").click()
    expect(form.locator(".outcome")).to_have_text("您已在钱包中取消签名：未提交任何操作。")
    expect(form.locator("button[type=submit]")).to_be_enabled()  # and may try again
    province.page.reload()
    expect(province.page.locator("[data-stage]").first).to_have_attribute("data-stage", "FILED")
    assert w3.eth.get_transaction_count(relayer) == sent  # nothing was sent
    province.wallet.refusing = False
    province.act("受理")
    expect(province.page.locator("[data-stage]").first).to_have_attribute("data-stage", "ACCEPTED")


def test_a_revocation_is_proposed_by_one_regulator_and_confirmed_by_another(site: WalletSite) -> None:
    number = next(req["number"] for doc, req in site.served.firms if doc.public["grade"] == "A")
    first = regulator(site, "ministry")  # grade A: the ministry's officials, four eyes
    first.open(f"/console/certificates/{number}")
    first.act("提议撤销（须另一名监管人员确认）", {"原因": "2", "撤销依据": "以欺骗手段取得资质"})
    expect(first.page.get_by_role("form", name="确认撤销", exact=True)).to_have_count(
        0
    )  # not the proposer's to confirm
    expect(first.page.get_by_role("note")).to_contain_text("提议人本人不能确认")
    proposal = first.page.get_by_role("form", name="撤回我的撤销提议", exact=True).get_attribute("data-about")
    refused = first.hand_crafted("ConfirmRevocation", proposal)
    assert refused["status"] == 409 and refused["body"]["contractError"] == "SameRegulator", refused
    assert "提议人本人不能确认" in refused["body"]["zh"]

    confirmer = regulator(site, "ministry-2")
    expect(confirmer.page.locator("table.proposals")).to_contain_text(number)  # in its queue of proposals
    confirmer.open(f"/console/certificates/{number}")
    confirmer.act("确认撤销")
    expect(confirmer.page.get_by_role("status").first).to_have_attribute("data-status", "REVOKED")


def test_a_dishonesty_is_recorded_from_the_console_and_later_restored(site: WalletSite) -> None:
    document, request = next((doc, req) for doc, req in site.served.firms if doc.public["grade"] == "B")
    ministry = regulator(site, "ministry")
    ministry.open("/dashboard")
    ministry.page.get_by_role("link", name="进入监管端办理").click()
    expect(ministry.page.locator("h1")).to_contain_text("自然资源部")
    ministry.open(f"/console/certificates/{request['number']}")
    expect(ministry.page.get_by_role("form", name=re.compile("^信用修复"))).to_have_count(0)
    penalty = {"信用信息类别": "101", "失信程度": "2", "分值": "5", "公示天数": "180",
               "决定文号": "自然资罚〔2026〕7号", "决定内容": "未按规定开展质量管理。"}  # fmt: skip
    ministry.act("记录信用信息", penalty)
    page = site.person().open(f"/f/{document.public['creditCode']}")
    expect(page.locator("ul.records")).to_contain_text("自然资罚〔2026〕7号")

    advance_time(site.served.deployed.w3, 91 * DAY)  # its minimum publication has run
    ministry.page.reload()
    restoration = {"信用修复决定文号": "自然资信修〔2026〕1号", "修复依据": "已完成整改并通过核查。"}
    ministry.act("信用修复：行政处罚 自然资罚〔2026〕7号", restoration)
    expect(ministry.page.get_by_role("form", name=re.compile("^信用修复"))).to_have_count(0)  # restored, once


def test_posts_without_the_csrf_token_are_refused(site: WalletSite) -> None:
    refused = requests.post(f"{site.url}/web/sign-in/challenge", json={"address": Account.create().address}, timeout=5)
    assert refused.status_code == 403
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert refused.json()["type"] == "/problems/csrf-token-missing"
    session = requests.Session()
    session.get(f"{site.url}/console", timeout=5)  # a session cookie, but no token sent with the post
    assert session.post(f"{site.url}/web/sign-out", json={}, timeout=5).status_code == 403


def test_the_console_works_at_375_px_and_by_keyboard(site: WalletSite) -> None:
    _, application = file_first(site, zhejiang_firm(5), "杭州键盘测试规划所")
    province = site.person(dev_account("zhejiang", 31337), width=375)
    page: Page = province.open("/console")
    page.keyboard.press("Tab")
    for _ in range(8):  # the sign-in button is reached by Tab alone
        if page.evaluate("document.activeElement.hasAttribute('data-sign-in')"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("nav.session .who .hash")).to_have_attribute("title", province.address)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    page.goto(f"{site.url}/console/applications/{application}")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    form = page.get_by_role("form", name="受理", exact=True)
    form.locator("button[type=submit]").focus()
    page.evaluate("window.__samePage = true")
    page.keyboard.press("Enter")
    expect(form.locator(".outcome")).to_have_attribute("data-kind", "done", timeout=30_000)
    page.wait_for_function("!window.__samePage", timeout=10_000)
    expect(page.locator("[data-stage]").first).to_have_attribute("data-stage", "ACCEPTED")
