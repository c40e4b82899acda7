"""Several nodes behind one client: LEDGER_RPC_URL may be a comma list, and requests go to the first node that is
healthy (answers, and is not syncing). When the node in use stops answering, the request is sent again to the next
healthy one, so an API or an indexer outlives the node it started on; after ``recheck`` seconds on a fallback the
preferred node (the first listed, e.g. the authority's own non-sealing node) is tried again. A signed transaction
is also handed to every other listed node (``FailoverProvider.share``), so that it reaches the sealers at once.

Built into web3's own HTTPProvider (its request cache, batch requests, middleware) by replacing the one method that
posts to a URL: web3 has no provider of several URLs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import requests
from eth_typing import URI
from web3 import HTTPProvider
from web3._utils.http_session_manager import HTTPSessionManager

log = logging.getLogger(__name__)
PROBE_TIMEOUT = 2.0  # seconds a node has to answer a health check
RECHECK_SECONDS = 30.0
SHARE_TIMEOUT = 1.0  # seconds another node has to take a shared transaction; one that does not is left alone a while


def split_urls(urls: str) -> list[str]:
    """The nodes of a LEDGER_RPC_URL value, in order of preference."""
    found = [url.strip() for url in urls.split(",") if url.strip()]
    if not found:
        raise ValueError("LEDGER_RPC_URL names no node")
    return found


class NodeChoice:
    """Which of ``urls`` requests go to now, and the switching when it fails."""

    def __init__(self, urls: Sequence[str], *, recheck: float = RECHECK_SECONDS) -> None:
        self.urls = list(urls)
        self.recheck = recheck
        self.current = 0
        self._switched_at = time.monotonic()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.urls[self.current]

    def post(self, send: Callable[[str], bytes]) -> bytes:
        """``send`` to the node in use; on a connection failure or an HTTP error, to the next healthy node."""
        self._maybe_return_to_preferred()
        tried: set[int] = set()
        while True:
            index = self.current
            try:
                return send(self.urls[index])
            except requests.RequestException as exc:
                tried.add(index)
                if not self._switch(index, tried, exc):
                    raise

    def _switch(self, failed: int, tried: set[int], exc: Exception) -> bool:
        """Move to the next healthy node not yet tried; False when there is none."""
        with self._lock:
            if self.current != failed:  # another thread has switched already
                return True
            order = [*range(failed + 1, len(self.urls)), *range(failed)]  # the next ones first, then round
            for candidate in order:
                if candidate not in tried and healthy(self.urls[candidate]):
                    log.warning(
                        "node %s does not answer (%s); using %s",
                        self.urls[failed],
                        exc.__class__.__name__,
                        self.urls[candidate],
                    )
                    self.current, self._switched_at = candidate, time.monotonic()
                    return True
        return False

    def _maybe_return_to_preferred(self) -> None:
        if self.current == 0 or time.monotonic() - self._switched_at < self.recheck:
            return
        with self._lock:
            self._switched_at = time.monotonic()
            if self.current != 0 and healthy(self.urls[0]):
                log.warning("node %s answers again; using it instead of %s", self.urls[0], self.url)
                self.current = 0


def healthy(url: str) -> bool:
    """Answers JSON-RPC and is not catching up with the chain (a syncing node's head is not the chain's)."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "eth_syncing", "params": []}
    try:
        answer = requests.post(url, json=body, timeout=PROBE_TIMEOUT).json()
    except (requests.RequestException, ValueError):
        return False
    return answer.get("result") is False


class _FailoverSessions(HTTPSessionManager):
    """web3's HTTP sessions, posting to the chosen node instead of the one URL web3 was given."""

    def __init__(self, provider: FailoverProvider, choice: NodeChoice) -> None:
        super().__init__()
        self._provider = provider
        self._choice = choice

    def make_post_request(self, endpoint_uri: URI, data: bytes | dict[str, Any], **kwargs: Any) -> bytes:
        def send(url: str) -> bytes:
            answer = super(_FailoverSessions, self).make_post_request(URI(url), data, **kwargs)
            self._provider.endpoint_uri = URI(url)
            return answer

        return self._choice.post(send)


class FailoverProvider(HTTPProvider):
    """An HTTPProvider over several nodes (``NodeChoice``). web3's own retry of a failed request is off: the next
    node answers instead, at once."""

    def __init__(self, urls: Sequence[str], *, timeout: float, recheck: float = RECHECK_SECONDS) -> None:
        super().__init__(
            urls[0],
            request_kwargs={"timeout": timeout},
            cache_allowed_requests=True,
            exception_retry_configuration=None,
        )
        self.choice = NodeChoice(urls, recheck=recheck)
        self._request_session_manager = _FailoverSessions(self, self.choice)
        self._sharing = requests.Session()
        self._unanswered: dict[str, float] = {}  # url → when a shared transaction went unanswered

    def share(self, raw_transaction: str) -> None:
        """Hand a signed transaction, already sent to the node in use, to every other listed node as well. Nodes
        gossip transactions, but geth only announces one over 4 KB (a batch of certificates) and its peers fetch
        an announced transaction after up to half a second: shared directly, it is in the sealers' pools before
        their next block is assembled. Best effort: a node that has it already, or does not answer, is skipped
        (and one that did not answer is left alone for ``recheck`` seconds)."""
        body = {"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction", "params": [raw_transaction]}
        now = time.monotonic()
        for url in self.choice.urls:
            if url == self.choice.url or now - self._unanswered.get(url, -self.choice.recheck) < self.choice.recheck:
                continue
            try:
                self._sharing.post(url, json=body, timeout=SHARE_TIMEOUT)
            except requests.RequestException:
                self._unanswered[url] = now
