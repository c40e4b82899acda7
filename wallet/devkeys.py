"""Public DEVELOPMENT keys for a local chain only.

These accounts come from the well-known anvil/Hardhat mnemonic that every Ethereum developer has: anyone can
spend from them. They exist so that ``make up`` works with nothing to set up, and they are refused unless the
chain is a local development chain (chain id 31337, anvil; 31338, the development network of geth nodes that
``make network`` starts) *and* the environment says this is development
(``LEDGER_DEVELOPMENT=1``, which the Makefile and the tests set): a private network left on the default chain id
does not say so.
"""

from __future__ import annotations

import os
from functools import cache

from eth_account import Account
from eth_account.signers.local import LocalAccount

from .errors import DevKeyRefused

PUBLIC_DEV_MNEMONIC = "test test test test test test test test test test test junk"  # public, development only
NETWORK_CHAIN_ID = 31338  # the development network (ledger.chain.network): seals every period, never on demand
LOCAL_CHAIN_IDS = frozenset({31337, NETWORK_CHAIN_ID})
DEVELOPMENT_FLAG = "LEDGER_DEVELOPMENT"  # "1" allows the development keys (on a local chain id only)

# Which development account plays which part in the demo deployment.
DEV_ROLES = {
    "admin": 0,  # governance admin and deployer
    "ministry": 1,  # 自然资源部
    "registrar": 2,  # 中国城市规划协会
    "zhejiang": 3,  # 浙江省自然资源厅, province 33
    "beijing": 4,  # 北京市规划和自然资源委员会, province 11
    "guangdong": 5,  # 广东省自然资源厅, province 44
    "firm": 6,  # a demo firm's own key: it applies, and holds the certificate it is granted
    "zhejiang-2": 7,  # a second regulator of 浙江省自然资源厅, who confirms revocations the first proposes
    "ministry-2": 8,  # a second official of 自然资源部, who confirms the ministry's revocations (four eyes)
    "relayer": 9,  # the API's relayer for signed acts
    "planner": 10,  # a demo registered planner's own key: it applies for a change of employer
    # the development network's sealing keys, one per authority's node: a node's key seals blocks, never acts
    "sealer-ministry": 11,
    "sealer-zhejiang": 12,
    "sealer-beijing": 13,
}
DEV_PROVINCES = {"zhejiang": 33, "beijing": 11, "guangdong": 44, "zhejiang-2": 33}
PROVINCE_KEY_BASE = 100  # any other province's development regulator: account 100 + its GB/T 2260 code
DEV_ACCOUNT_COUNT = 200  # the accounts a local chain funds: the roles above and a regulator per province code

Account.enable_unaudited_hdwallet_features()


def require_local_chain(chain_id: int) -> None:
    """Refuses the development keys unless ``chain_id`` is a local chain and the development flag is set."""
    if not is_local_chain(chain_id):
        raise DevKeyRefused(
            f"refusing to use public development keys on chain {chain_id}: "
            f"they are for local chains only ({', '.join(map(str, sorted(LOCAL_CHAIN_IDS)))})"
        )
    if not development_flag():
        raise DevKeyRefused(
            f"refusing to use public development keys without {DEVELOPMENT_FLAG}=1: chain id {chain_id} alone "
            "does not say this is a development chain (make up and make test set the flag)"
        )


def is_local_chain(chain_id: int) -> bool:
    """The chain id of a local development chain (what the indexer's confirmations go by)."""
    return chain_id in LOCAL_CHAIN_IDS


def development_flag() -> bool:
    return os.environ.get(DEVELOPMENT_FLAG) == "1"


def dev_keys_allowed(chain_id: int) -> bool:
    """Whether the development keys may be used on ``chain_id`` here (a local chain and the flag)."""
    return is_local_chain(chain_id) and development_flag()


def dev_account(role: str, chain_id: int) -> LocalAccount:
    """The development account for ``role``; refuses unless ``chain_id`` is a local chain."""
    return _derived(DEV_ROLES[role], chain_id)


def dev_province_account(province: int, chain_id: int) -> LocalAccount:
    """The development regulator of ``province`` (a GB/T 2260 code): the named role's first (浙江 is
    ``zhejiang``), else account 100 + the code, so that every province of the demo register has a key of its own."""
    role = next((role for role, code in DEV_PROVINCES.items() if code == province), None)
    return dev_account(role, chain_id) if role else _derived(PROVINCE_KEY_BASE + province, chain_id)


def dev_accounts(chain_id: int) -> list[LocalAccount]:
    """Every development account a local chain funds (anvil's --accounts, a geth genesis's alloc), in order."""
    return [_derived(index, chain_id) for index in range(DEV_ACCOUNT_COUNT)]


def _derived(index: int, chain_id: int) -> LocalAccount:
    require_local_chain(chain_id)
    if not 0 <= index < DEV_ACCOUNT_COUNT:
        raise ValueError(f"development account {index} is not one the local chain funds (0-{DEV_ACCOUNT_COUNT - 1})")
    return _from_mnemonic(index)


@cache
def _from_mnemonic(index: int) -> LocalAccount:
    """Derived once per process: a derivation (PBKDF2 and BIP-32) costs ~3 ms, and an import asks per row."""
    return Account.from_mnemonic(PUBLIC_DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
