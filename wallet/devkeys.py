"""Public DEVELOPMENT keys for a local chain only.

These accounts come from the well-known anvil/Hardhat mnemonic that every Ethereum developer has: anyone can
spend from them. They exist so that ``make up`` works with nothing to set up, and they are refused on any chain
that is not a local development chain.
"""

from __future__ import annotations

from eth_account import Account
from eth_account.signers.local import LocalAccount

from .errors import DevKeyRefused

PUBLIC_DEV_MNEMONIC = "test test test test test test test test test test test junk"  # public, development only
LOCAL_CHAIN_IDS = frozenset({31337})

# Which development account plays which part in the demo deployment.
DEV_ROLES = {
    "admin": 0,  # governance admin and deployer
    "ministry": 1,  # 自然资源部
    "registrar": 2,  # 中国城市规划协会
    "zhejiang": 3,  # 浙江省自然资源厅, province 33
    "beijing": 4,  # 北京市规划和自然资源委员会, province 11
    "guangdong": 5,  # 广东省自然资源厅, province 44
    "relayer": 9,  # the API's relayer for signed acts
}
DEV_PROVINCES = {"zhejiang": 33, "beijing": 11, "guangdong": 44}

Account.enable_unaudited_hdwallet_features()


def require_local_chain(chain_id: int) -> None:
    if not is_local_chain(chain_id):
        raise DevKeyRefused(
            f"refusing to use public development keys on chain {chain_id}: "
            f"they are for local chains only ({', '.join(map(str, sorted(LOCAL_CHAIN_IDS)))})"
        )


def is_local_chain(chain_id: int) -> bool:
    return chain_id in LOCAL_CHAIN_IDS


def dev_account(role: str, chain_id: int) -> LocalAccount:
    """The development account for ``role``; refuses unless ``chain_id`` is a local chain."""
    require_local_chain(chain_id)
    return Account.from_mnemonic(PUBLIC_DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{DEV_ROLES[role]}")
