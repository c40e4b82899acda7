"""A real EIP-1193 wallet for the browser tests: ``window.ethereum`` in the page forwards each request to an exposed
binding that signs with eth-account in the test process, so every signature the server sees is a real one (sign-in
with ``personal_sign``, acts with ``eth_signTypedData_v4``). A wallet can be told to refuse, as a person clicking
"Reject" would (EIP-1193 error 4001)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from ledger.certificates import queries
from ledger.chain.localchain import free_port
from tests.conftest import Served

PROVIDER = """
window.ethereum = {
  isTestWallet: true,
  async request({ method, params }) {
    const answer = await window.__testWallet(method, params || []);
    if (answer.error) { const e = new Error(answer.error.message); e.code = answer.error.code; throw e; }
    return answer.result;
  },
  on() {}, removeListener() {},
};
"""

HAND_CRAFTED = """async ({ act, about }) => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const post = (url, body) => fetch(url, { method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf } })
    .then(async (r) => ({ status: r.status, body: await r.json() }));
  const prepared = (await post("/web/prepare", { act, about, inputs: {} })).body;
  const signature = await window.ethereum.request({ method: "eth_signTypedData_v4",
      params: [prepared.signedAct.signer, JSON.stringify(prepared.typedData)] });
  return post("/web/acts", { signedAct: { ...prepared.signedAct, signature } });
}"""


@dataclass
class Wallet:
    """One person's wallet: their key, and whether they refuse the next signature requests."""

    account: LocalAccount
    chain_id: int
    refusing: bool = False
    signed: list[str] = field(default_factory=list)  # the methods signed, in order

    def handle(self, _source: Any, method: str, params: list[Any]) -> dict[str, Any]:
        if method in ("eth_requestAccounts", "eth_accounts"):
            return {"result": [self.account.address]}
        if method == "eth_chainId":
            return {"result": hex(self.chain_id)}
        if self.refusing:
            return {"error": {"code": 4001, "message": "User rejected the request."}}
        if method == "personal_sign":
            message = encode_defunct(hexstr=params[0])
            signature = self.account.sign_message(message).signature
        elif method == "eth_signTypedData_v4":
            assert params[0].lower() == self.account.address.lower(), "asked to sign as another account"
            signature = self.account.sign_typed_data(full_message=json.loads(params[1])).signature
        else:
            return {"error": {"code": 4200, "message": f"unsupported method {method}"}}
        self.signed.append(method)
        return {"result": "0x" + bytes(signature).hex()}


@dataclass
class Person:
    """Someone at a browser with a wallet: a page of their own context (their own cookies)."""

    page: Page
    wallet: Wallet
    context: BrowserContext
    site: str

    @property
    def address(self) -> str:
        return self.wallet.account.address

    def open(self, path: str) -> Page:
        self.page.goto(self.site + path)
        return self.page

    def sign_in(self, path: str) -> Page:
        """Open ``path`` and sign in from its session bar, as a person would."""
        page = self.open(path)
        page.get_by_role("button", name="用钱包登录").first.click()
        expect(page.locator("nav.session .who .hash")).to_have_attribute("title", self.address)
        return page

    def hand_crafted(self, act: str, about: str | None) -> dict[str, Any]:
        """An act prepared, signed and posted from the page's script, past any form (as a curious or hostile
        user would): the relay's answer, status and body."""
        return self.page.evaluate(HAND_CRAFTED, {"act": act, "about": about})

    def act(self, title: str, fill: dict[str, str] | None = None, files: list[Any] | None = None) -> Page:
        """Fill the act form named ``title``, sign, and wait until the act is mined, indexed and the page shows it."""
        form = self.page.get_by_role("form", name=title, exact=True)
        for label, value in (fill or {}).items():
            field = form.get_by_label(label, exact=False)
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        if files is not None:
            form.locator('input[type="file"]').set_input_files(files)
        self.page.evaluate("window.__samePage = true")
        form.locator("button[type=submit]").click()
        outcome = form.locator(".outcome")
        expect(outcome).to_have_attribute("data-kind", re.compile("done|error"), timeout=30_000)
        if outcome.get_attribute("data-kind") == "error":
            raise AssertionError(f"{title}: {outcome.text_content()}")
        self.page.wait_for_function("!window.__samePage", timeout=10_000)  # the page reloaded with the result
        self.page.wait_for_load_state()
        return self.page


@dataclass
class WalletSite:
    """The app over real HTTP at an origin its Sign-In messages name, with the indexer following the chain."""

    url: str
    served: Served
    browser: Browser
    people: list[Person] = field(default_factory=list)

    def person(self, account: LocalAccount | None = None, *, width: int = 1280) -> Person:
        account = account or Account.create()
        wallet = Wallet(account, self.served.deployed.w3.eth.chain_id)
        context = self.browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        context.set_default_timeout(15_000)
        context.expose_binding("__testWallet", wallet.handle)
        context.add_init_script(PROVIDER)
        person = Person(context.new_page(), wallet, context, self.url)
        self.people.append(person)
        return person

    def caught_up(self, timeout: float = 10.0) -> None:
        """Wait until the index has read the chain's head."""
        w3, deadline = self.served.deployed.w3, time.monotonic() + timeout
        head = w3.eth.block_number
        while time.monotonic() < deadline:
            with Session(self.served.engine) as session:
                status = queries.index_status(session)
            if status is not None and status.block_number >= head:
                return
            time.sleep(0.1)
        raise AssertionError("the indexer did not catch up")


def serve(served: Served, browser: Browser) -> Iterator[WalletSite]:
    """Serve the app and follow the chain with the indexer until the test ends; the chain is rewound afterwards,
    so a test that moves anvil's clock leaves the others the clock they expect."""
    w3 = served.deployed.w3
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[attr-defined]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = served.app(PUBLIC_ORIGIN=url).application
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()

    def follow() -> None:
        while not stop.is_set():
            served.indexer.sync()
            stop.wait(0.2)

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    site = WalletSite(url, served, browser)
    try:
        yield site
    finally:
        for person in site.people:
            person.context.close()
        stop.set()
        follower.join(timeout=10)
        server.shutdown()
        w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[attr-defined]
