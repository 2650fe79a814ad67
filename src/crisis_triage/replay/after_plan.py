"""What happens to a replay-file call after its dispatch: the plan ``generate-calls`` writes and
``records import-calls`` plays (a response's statuses, its disposition, the handoff's landing, the
follow-up attempts). All optional: a call without one is imported as dispatched and ended, as before.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter
from typing_extensions import TypedDict


class _Plan(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StatusStep(_Plan):
    status: str
    minutes: float = Field(ge=0, le=24 * 60)
    """Minutes after the dispatch."""


class FollowUpStep(_Plan):
    outcome: str
    hours: float = Field(ge=0, le=24 * 60)
    """Hours after the follow-up became owed."""


class ReferralStep(_Plan):
    """A service of the referral directory given on the call (a ReferralGiven event before it ends)."""

    service: str = Field(min_length=1, max_length=64)
    """The service's id in the protocol's referral directory."""
    to: Literal["caller", "family"] = "caller"
    rule: str = Field(default="", max_length=64)
    """The referral rule that offered it; empty when picked from the whole directory."""


class AfterPlan(_Plan):
    """A call's life after the questions: dispatched or not, and what happened next."""

    ending: str = "completed"
    """How the phone call ended (with ``dispatch: false``: caller_disconnected, transferred, advice_only...)."""
    dispatch: bool = True
    depart_to: str | None = None
    """A model dispatched instead of the recommended one (a departure), with ``depart_reason``."""
    depart_reason: str = ""
    statuses: list[StatusStep] = []
    disposition: str | None = None
    details: dict[str, str] = {}
    recorded_by: str = "dispatcher"
    disposition_minutes: float = Field(default=60, ge=0, le=24 * 60)
    acknowledged_minutes: float | None = Field(default=None, ge=0, le=24 * 60)
    """Minutes after the dispatch someone acted on the overdue contact alert (a ContactAlertAcknowledged;
    played only where the window is overdue and contact not yet settled at that time)."""
    landed: str | None = None
    """Where a warm handoff landed (the protocol's follow_up.handoff_outcomes)."""
    landed_minutes: float = Field(default=20, ge=0, le=24 * 60)
    follow_up: list[FollowUpStep] = []
    """Attempts made on every follow-up the call comes to owe."""
    referrals: list[ReferralStep] = []
    """Services given to the caller or the family before the call ended (on any call, dispatched or not)."""


# -- checking a plan without building it --------------------------------------------------------------
# Replay reads a calls file's after-plans only to refuse bad ones (import-calls plays them); building
# the models costs several times more than checking the same fields as plain dicts. The shapes below
# are derived from the models above, field by field, so the two cannot drift apart (and a property
# test holds them to the same answers).


def shape_of(model: type[BaseModel]) -> Any:
    """A TypedDict with ``model``'s fields, constraints, "after" field validators and ``extra``
    setting (nested models as shapes): validating a dict with it accepts what ``model`` accepts."""
    decorators = model.__pydantic_decorators__
    if decorators.model_validators or decorators.root_validators:  # pragma: no cover - extend here first
        raise TypeError(f"no shape for {model.__name__}: it has a model validator")
    checks: dict[str, list[Any]] = {}
    for decorator in decorators.field_validators.values():
        if decorator.info.mode != "after":  # pragma: no cover - a new kind of validator: extend here
            raise TypeError(f"no shape for the {decorator.info.mode} validator {decorator.cls_var_name}")
        for name in decorator.info.fields:
            checks.setdefault(name, []).append(AfterValidator(decorator.func))
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation = _shaped(info.annotation)
        metadata = [*info.metadata, *checks.get(name, ())]
        if metadata:
            annotation = Annotated[(annotation, *metadata)]
        fields[name] = annotation if info.is_required() else NotRequired[annotation]
    make_typed_dict: Any = TypedDict  # built from the model's fields at run time, which mypy cannot follow
    shape: Any = make_typed_dict(f"{model.__name__}Shape", fields)
    shape.__pydantic_config__ = ConfigDict(extra=model.model_config.get("extra"))
    return shape


def _shaped(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return shape_of(annotation)
    args = get_args(annotation)
    if not args:
        return annotation
    inner = tuple(_shaped(a) for a in args)
    if inner == args:
        return annotation
    if get_origin(annotation) is list:
        return list[inner[0]]  # type: ignore[valid-type]
    if type(None) in args:  # ``Model | None``
        return Union[inner]  # noqa: UP007 (built from a tuple of types at run time)
    raise TypeError(f"no shape for {annotation!r}")  # pragma: no cover - a new kind of field: extend here


#: Checks an after-plan as :class:`AfterPlan` does, without building one (raises ValidationError).
check_after_plan = TypeAdapter(shape_of(AfterPlan)).validate_python
