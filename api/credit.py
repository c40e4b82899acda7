"""Credit supervision over HTTP: a firm's credit grade with its explanation, the honesty, yellow and black lists,
and random-inspection rounds with everything needed to recompute their draw. The answers, and the credit picture
they are computed from, are in ``api.answers.credit``."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from ledger.credit.lists import LISTS

from .answers import credit
from .credit_schemas import CreditOut, ListOut, ListQuery, RoundList, RoundOut
from .problems import Problem
from .services import services

bp = APIBlueprint("credit", __name__, url_prefix="/api/v1", tag="Credit supervision")


@bp.get("/firms/<credit_code>/credit")
@bp.output(CreditOut)
@bp.doc(summary="A firm's credit grade, its explanation, its credit records and list entries", responses=[404])
def get_credit(credit_code: str) -> dict[str, Any]:
    """The grade is computed over every qualified firm at once (min-max normalisation is over that population);
    the explanation gives each indicator's value, normalised value, weight and population interval."""
    return credit.standing(services().engine, credit_code.strip().upper(), credit.current_picture())


@bp.get("/lists/<name>")
@bp.input(ListQuery, location="query", arg_name="query")
@bp.output(ListOut)
@bp.doc(summary="The honesty (诚信), yellow (黄名单) or black (黑名单) list now, newest first", responses=[404])
def get_list(name: str, query: ListQuery) -> dict[str, Any]:
    """Each entry gives its reason and since when; an entry leaves when its reason ends."""
    if name not in LISTS:
        raise Problem(404, "list-not-found", "List not found", f"Lists are {', '.join(LISTS)}; not {name!r}.")
    return credit.listed(services().engine, name, credit.current_picture(), province=query.province, limit=query.limit)


@bp.get("/inspections")
@bp.output(RoundList)
@bp.doc(summary="Random-inspection rounds (双随机、一公开), newest first")
def get_rounds() -> dict[str, Any]:
    return {"rounds": credit.rounds(services().engine)}


@bp.get("/inspections/<round_id>")
@bp.output(RoundOut)
@bp.doc(summary="One inspection round: its population, the draw and the results, with the data to recompute them",
        responses=[404, 503])  # fmt: skip
def get_round(round_id: str) -> dict[str, Any]:
    """Once the round's secret is revealed on chain, the selection is derived from its seed by the published
    procedure (``procedureText``): check ``population`` against ``populationRoot``, the seed against ``secret``,
    ``drawBlockHash`` and the round id, and recompute the positions drawn and the inspectors from it."""
    return credit.inspection_round(services(), round_id.strip().lower())
