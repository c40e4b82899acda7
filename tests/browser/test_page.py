"""The public verification page in headless Chromium (Debian's, driven by Playwright) against the app served over
real HTTP, a real anvil and the indexer: search a certificate, see it valid; revoke it on chain, see it revoked."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from ledger.certificates.client import certificate_id
from ledger.chain.localchain import free_port
from ledger.credit.acts import CreditClient, credit_request
from tests.conftest import Served


@pytest.fixture
def site(served: Served) -> Iterator[str]:
    """The app on a real HTTP port, as a browser reaches it."""
    port = free_port()
    server = make_server("127.0.0.1", port, served.client.application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_search_a_certificate_see_it_valid_then_revoked(served: Served, site: str, phone: Page) -> None:
    _, request = served.firms[0]
    number = request["number"]
    phone.goto(site + "/")
    phone.get_by_role("search").last.get_by_role("searchbox").fill(number)
    phone.get_by_role("search").last.get_by_role("button").click()
    phone.wait_for_url("**/c/**")
    badge = phone.get_by_role("status")
    expect(badge).to_have_attribute("data-status", "ACTIVE")
    expect(badge).to_contain_text("有效")
    expect(phone.locator("dd.number")).to_have_text(number)
    expect(phone.locator("ol.timeline li")).to_have_count(1)
    expect(phone.locator("figure.qr svg")).to_be_visible()
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 375  # no sideways scrolling on a phone
    expect(phone.get_by_text("存量导入")).to_be_visible()  # the register's certificates came by the legacy import

    served.deployed.sender("ministry").transact(served.deployed.registry.functions.revoke(certificate_id(number), 3))
    served.indexer.sync()
    phone.reload()
    expect(badge).to_have_attribute("data-status", "REVOKED")
    expect(badge).to_contain_text("撤销")
    expect(badge).to_contain_text("NOT valid")
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(197, 34, 31)"  # red, not green
    assert "status-page-revoked" in phone.locator("body").get_attribute("class")
    expect(phone.locator("ol.timeline li")).to_have_count(2)
    expect(phone.locator("ol.timeline li").last).to_contain_text("撤销")


def test_the_print_view_is_one_page_with_qr_code_and_document_hash(served: Served, site: str, browser: Browser) -> None:
    _, request = served.firms[1]
    page = browser.new_page()
    page.goto(f"{site}/c/{request['number']}/print")
    expect(page.locator(".e-certificate figure.qr svg")).to_be_visible()
    expect(page.locator(".e-certificate")).to_contain_text("0x" + request["documentHash"].hex())
    pdf = page.pdf(format="A4")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page\r") + pdf.count(b"/Type /Page ") == 1
    page.close()


def test_a_credit_code_leads_to_the_firm_and_an_unknown_number_says_so(served: Served, site: str, phone: Page) -> None:
    _, request = served.firms[0]
    code = served.client.get(f"/api/v1/certificates/{request['number']}").json["holder"]["creditCode"]
    phone.goto(f"{site}/?q={code}")
    expect(phone.locator("article.firm h1")).not_to_be_empty()
    expect(phone.locator("ul.certificates li")).to_contain_text(request["number"])
    response = phone.goto(f"{site}/?q=自资规甲0000000")
    assert response is not None and response.status == 404
    expect(phone.get_by_role("alert")).to_contain_text("未找到")


def test_the_api_docs_load_without_a_cdn(site: str, browser: Browser) -> None:
    page = browser.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(f"{site}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Planning qualification ledger API")
    assert failed == []
    page.close()


def test_the_dashboard_charts_the_register_and_shows_a_warning_as_it_happens(
    served: Served, site: str, browser: Browser
) -> None:
    """A regulator on a laptop: one bar per province with qualified firms; a dishonesty record put on chain shows
    as a yellow-list change once indexed, and the firm's page shows its credit grade and the entry."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(site + "/dashboard")
    provinces = {int(doc.public["creditCode"][2:4]) for doc, _ in served.firms}
    expect(page.locator("#by-province g[data-province]")).to_have_count(len(provinces))
    expect(page.locator("#list-changes")).to_contain_text("无")

    firm, request = next((doc, req) for doc, req in served.firms if doc.public["grade"] == "B")
    now = served.deployed.w3.eth.get_block("latest")["timestamp"]
    penalty = credit_request(certificate_id(request["number"]), decision="罚〔2026〕88号", now=now)
    CreditClient(served.deployed.credit, served.deployed.sender("ministry")).record(penalty)
    served.indexer.sync()
    page.reload()
    change = page.locator("#list-changes tr.change-joined")
    expect(change).to_have_count(1)
    expect(change).to_contain_text(firm.public["name"])
    change.get_by_role("link").click()
    expect(page.locator("dl.credit")).to_contain_text("黄名单")
    expect(page.locator("ul.records")).to_contain_text("罚〔2026〕88号")
    context.close()
