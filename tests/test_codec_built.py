"""decode builds LineEvidence and Decision without validating them again when what it read plainly
passes: the models are then the ones validation gives, and anything validation would refuse or
change still goes through it."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from xladdin.core import codec
from xladdin.core.codec import decode, encode
from xladdin.core.evidence import Decision, Deduction, LineEvidence
from xladdin.library import bundled, load_evidence, load_rubric_file


def _same(built: BaseModel, validated: BaseModel) -> None:
    assert built == validated
    assert list(built.__dict__) == list(validated.__dict__)
    assert built.model_fields_set == validated.model_fields_set
    assert repr(built) == repr(validated)
    assert built.model_dump() == validated.model_dump()


@pytest.mark.parametrize(
    "entry", [e for e in bundled() if e.evidence_path is not None], ids=lambda e: e.id
)
def test_decoded_examples_are_the_validated_models(
    entry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rubric = load_rubric_file(entry.path)
    evidence = load_evidence(entry.evidence_path)
    cells = [(leaf, encode(leaf, evidence.line(leaf.code))) for leaf in rubric.leaves()]
    fast = [decode(leaf, raw) for leaf, raw in cells]
    monkeypatch.setattr(codec, "_plain_line", lambda fields: False)
    monkeypatch.setattr(codec, "_plain_decision", lambda fields: False)
    slow = [decode(leaf, raw) for leaf, raw in cells]
    assert sum(line is not None for line in fast) > 0
    for built, validated in zip(fast, slow, strict=True):
        assert (built is None) == (validated is None)
        if built is not None and validated is not None:
            _same(built, validated)
            if validated.decision is not None and built.decision is not None:
                _same(built.decision, validated.decision)


# Values of the types decode gives, and of others, at and beyond the fields' limits.
numbers = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            Decimal(0),
            Decimal("-0"),
            Decimal("-1"),
            Decimal("1e15"),
            Decimal("-1e15"),
            Decimal("1.50"),
        ]
    ),
    st.integers(-2, 2),
    st.floats(-2, 2),
    st.booleans(),
    st.text(max_size=3),
)
anything = st.one_of(numbers, st.none(), st.lists(numbers, max_size=3), st.text(max_size=3))
texts = st.one_of(st.text(max_size=4), st.sampled_from(["", " ", "理由"]), numbers)
flags = st.one_of(st.booleans(), numbers)
wholes = st.one_of(st.integers(-2, 5), numbers)
deductions = st.lists(
    st.builds(Deduction, share=st.just(Decimal("0.25")), reason=st.just("理由")), max_size=2
)

line_fields = st.fixed_dictionaries(
    {},
    optional={
        "value": numbers,
        "numerator": numbers,
        "denominator": numbers,
        "met": st.one_of(st.lists(flags, max_size=3), anything),
        "count": wholes,
        "counts": st.one_of(st.lists(wholes, max_size=3), anything),
        "rates": st.one_of(st.lists(numbers, max_size=3), anything),
        "passed": flags,
        "decision": st.one_of(st.just(Decision(share=Decimal("0.5"), reason="理由")), anything),
        "not_applicable": flags,
        "na_reason": texts,
        "deviation_reason": texts,
        "narrative": texts,
        "declared": numbers,
        "confirmed": flags,
        "failed": st.lists(st.integers(-1, 3), max_size=2),
        "points": numbers,
    },
)

decision_fields = st.fixed_dictionaries(
    {},
    optional={
        "score": numbers,
        "share": numbers,
        "deduct_share": numbers,
        "deduct_points": numbers,
        "deductions": st.one_of(deductions, anything),
        "band": st.one_of(st.none(), texts),
        "reason": texts,
    },
)


def _check(cls: type[BaseModel], plain: bool, fields: dict[str, Any]) -> None:
    try:
        validated = cls.model_validate(fields)
    except ValidationError:
        assert not plain, fields  # validation refuses it: never built without it
        return
    if plain:
        _same(codec._built(cls, fields), validated)  # type: ignore[type-var]


@given(line_fields)
def test_a_line_is_built_only_as_validation_would_build_it(fields: dict[str, Any]) -> None:
    _check(LineEvidence, codec._plain_line(fields), fields)


@given(decision_fields)
def test_a_decision_is_built_only_as_validation_would_build_it(fields: dict[str, Any]) -> None:
    _check(Decision, codec._plain_decision(fields), fields)


# Mostly what decode gives, so that the models built without validation are compared often.
good = st.decimals(min_value=-1000, max_value=1000, places=2)
amounts = ("score", "share", "deduct_share", "deduct_points")


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "value": good,
            "met": st.lists(st.booleans(), max_size=4),
            "count": st.integers(0, 5),
            "counts": st.lists(st.integers(0, 5), max_size=3),
            "rates": st.lists(good, max_size=3),
            "passed": st.booleans(),
            "not_applicable": st.booleans(),
            "narrative": st.text(max_size=4),
            "deviation_reason": st.text(max_size=4),
            "declared": st.one_of(good, numbers),
            "confirmed": st.booleans(),
        },
    ),
    st.one_of(st.none(), st.tuples(good, good)),
)
def test_lines_as_decode_reads_them(fields: dict[str, Any], pair: Any) -> None:
    if pair is not None:
        fields.pop("value", None)
        fields["numerator"], fields["denominator"] = pair
    _check(LineEvidence, codec._plain_line(fields), fields)


@given(
    st.sampled_from([*amounts, "deductions"]),
    good,
    deductions,
    st.sampled_from([None, None, "达成年度指标", ""]),
    st.one_of(st.just("理由"), texts),
    st.one_of(st.none(), st.none(), st.none(), st.sampled_from(amounts)),
)
def test_decisions_as_decode_reads_them(
    amount: str, number: Decimal, parts: list[Deduction], band: Any, reason: Any, other: Any
) -> None:
    fields: dict[str, Any] = {"reason": reason, "band": band}
    fields[amount] = parts if amount == "deductions" else number
    if other is not None:
        fields[other] = number  # two amounts: refused
    _check(Decision, codec._plain_decision(fields), fields)


# The field types and constraints of the two models as the codec's shortcut
# (codec._LINE_CHECKS, codec._DECISION_CHECKS) repeats them. A change here (a new field, a
# narrower type, a Field(le=…)) must be repeated there before this snapshot is updated:
# otherwise the shortcut could build a model that validation would refuse.
FIELDS_THE_SHORTCUT_KNOWS = {
    "LineEvidence": {
        "value": "typing.Optional[typing.Annotated[decimal.Decimal, BeforeValidator(func=<function _number>, json_schema_input_type=PydanticUndefined)]] []",
        "numerator": "typing.Optional[typing.Annotated[decimal.Decimal, BeforeValidator(func=<function _number>, json_schema_input_type=PydanticUndefined)]] []",
        "denominator": "typing.Optional[typing.Annotated[decimal.Decimal, BeforeValidator(func=<function _number>, json_schema_input_type=PydanticUndefined)]] []",
        "met": "list[bool] | None []",
        "failed": "list[int] | None []",
        "count": "int | None [Ge(ge=0)]",
        "counts": "list[typing.Annotated[int, FieldInfo(annotation=NoneType, required=True, metadata=[Ge(ge=0)])]] | None []",
        "rates": "list[typing.Annotated[decimal.Decimal, BeforeValidator(func=<function _number>, json_schema_input_type=PydanticUndefined)]] | None []",
        "passed": "bool | None []",
        "decision": "xladdin.core.evidence.Decision | None []",
        "not_applicable": "<class 'bool'> []",
        "na_reason": "str | None []",
        "deviation_reason": "str | None []",
        "narrative": "str | None []",
        "declared": "typing.Optional[typing.Annotated[decimal.Decimal, BeforeValidator(func=<function _number>, json_schema_input_type=PydanticUndefined)]] []",
        "points": "typing.Optional[typing.Annotated[decimal.Decimal, BeforeValidator(func=<function _non_negative>, json_schema_input_type=PydanticUndefined)]] []",
        "note": "str | None []",
        "sources": "list[xladdin.core.evidence.FundsSource] | None []",
        "confirmed": "<class 'bool'> []",
    },
    "Decision": {
        "score": "typing.Optional[typing.Annotated[decimal.Decimal, BeforeValidator(func=<function _non_negative>, json_schema_input_type=PydanticUndefined)]] []",
        "share": "typing.Optional[typing.Annotated[decimal.Decimal, BeforeValidator(func=<function _non_negative>, json_schema_input_type=PydanticUndefined)]] []",
        "deduct_share": "typing.Optional[typing.Annotated[decimal.Decimal, BeforeValidator(func=<function _non_negative>, json_schema_input_type=PydanticUndefined)]] []",
        "deduct_points": "typing.Optional[typing.Annotated[decimal.Decimal, BeforeValidator(func=<function _non_negative>, json_schema_input_type=PydanticUndefined)]] []",
        "deductions": "list[xladdin.core.evidence.Deduction] | None []",
        "band": "str | None []",
        "reason": "<class 'str'> []",
    },
}


@pytest.mark.parametrize("model", [LineEvidence, Decision], ids=lambda m: m.__name__)
def test_the_shortcut_knows_the_models_fields(model: type[BaseModel]) -> None:
    found = {
        name: re.sub(r" at 0x[0-9a-f]+", "", f"{field.annotation} {field.metadata}")
        for name, field in model.model_fields.items()
    }
    assert found == FIELDS_THE_SHORTCUT_KNOWS[model.__name__]
