"""The rule catalog: every change `refarch specs diff` can report, with a stable id.

An id never changes meaning once published (CI configurations and waivers quote them).
Rules about schemas come in a request and a response flavour because the same edit breaks
one side and not the other: narrowing what a server *accepts* breaks clients that send the
old values, widening what a server *returns* breaks clients that parse strictly.

Decision (ADR 0042): a value a response may newly contain — an added enum value, an added
type such as ``null``, a looser bound — is breaking. Tolerant readers survive it, but a
generated client with closed enums or a strict validator does not, and the diff cannot know
which kind of client a team has; a team that guarantees tolerant readers can ignore these
ids by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["BOUNDS", "RULES", "Rule", "Severity"]


class Severity(StrEnum):
    BREAKING = "breaking"
    DEPRECATION = "deprecation"
    NON_BREAKING = "non-breaking"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    #: one line: who breaks and how (or why nobody does)
    explanation: str


B, D, N = Severity.BREAKING, Severity.DEPRECATION, Severity.NON_BREAKING

#: Numeric bounds and the keyword family they belong to: (id part, schema keyword, is upper).
BOUNDS: tuple[tuple[str, str, bool], ...] = (
    ("max-length", "maxLength", True),
    ("min-length", "minLength", False),
    ("max-items", "maxItems", True),
    ("min-items", "minItems", False),
    ("max-properties", "maxProperties", True),
    ("maximum", "maximum", True),
    ("minimum", "minimum", False),
)

_FIXED: tuple[Rule, ...] = (
    # operations
    Rule("operation-removed", B, "clients calling this operation now get 404 or 405"),
    Rule("operation-added", N, "a new operation: existing clients do not call it"),
    Rule(
        "operation-id-changed",
        B,
        "generated clients lose the method named after the old operationId",
    ),
    Rule(
        "operation-deprecated", D, "the operation still works but is announced to go: plan the move"
    ),
    # parameters
    Rule(
        "parameter-added-required",
        B,
        "clients that do not send the new required parameter get a 4xx",
    ),
    Rule(
        "parameter-added-optional",
        N,
        "a new optional parameter: clients that omit it behave as before",
    ),
    Rule("parameter-removed", B, "clients that send it are refused or, worse, silently ignored"),
    Rule("parameter-became-required", B, "clients that omitted this parameter now get a 4xx"),
    Rule("parameter-became-optional", N, "clients that send it keep working"),
    Rule("parameter-deprecated", D, "the parameter still works but is announced to go"),
    # request body
    Rule("request-body-added-required", B, "clients that send no body now get a 4xx"),
    Rule("request-body-became-required", B, "clients that sent no body now get a 4xx"),
    Rule("request-body-became-optional", N, "clients that send a body keep working"),
    Rule("request-media-type-removed", B, "clients sending this content type now get 415"),
    Rule(
        "request-media-type-added",
        N,
        "a further accepted content type: existing clients are unaffected",
    ),
    # request schemas
    Rule(
        "request-property-added-required",
        B,
        "a required request property was added: clients that do not send it get 422",
    ),
    Rule("request-property-became-required", B, "clients that omitted this property now get 422"),
    Rule(
        "request-property-added",
        N,
        "a new optional request property: clients that omit it keep working",
    ),
    Rule(
        "request-property-removed",
        B,
        "clients that send it are refused (closed schemas) or have it silently ignored",
    ),
    Rule("request-property-became-optional", N, "clients that send it keep working"),
    Rule(
        "request-type-narrowed",
        B,
        "values of the dropped type(s) that clients send are now refused",
    ),
    Rule(
        "request-type-widened",
        N,
        "the server accepts more types than before: existing requests still pass",
    ),
    Rule("request-type-changed", B, "clients sending the old type are refused"),
    Rule("request-enum-value-removed", B, "clients sending the removed value now get 422"),
    Rule(
        "request-enum-value-added",
        N,
        "the server accepts one more value: existing requests still pass",
    ),
    Rule("request-pattern-changed", B, "values that matched the old pattern may now be refused"),
    Rule("request-format-changed", B, "values valid in the old format may now be refused"),
    Rule(
        "request-default-changed",
        B,
        "clients that omit the field silently get a different behaviour",
    ),
    Rule(
        "request-additional-properties-closed",
        B,
        "clients sending properties outside the schema now get 422",
    ),
    Rule(
        "request-variant-removed",
        B,
        "clients sending the removed oneOf/anyOf alternative are refused",
    ),
    Rule("request-variant-added", N, "one more accepted alternative: existing requests still pass"),
    # responses
    Rule(
        "response-success-status-removed",
        B,
        "clients expecting this success status get another one",
    ),
    Rule(
        "response-error-status-removed",
        N,
        "an error is no longer documented: clients that handle it are unaffected",
    ),
    Rule(
        "response-status-added",
        N,
        "a newly documented status: a client without a branch for it treats it as generic",
    ),
    Rule(
        "response-media-type-removed",
        B,
        "clients asking for this content type get 406 or a body they cannot read",
    ),
    Rule(
        "response-media-type-added",
        N,
        "a further content type on offer: existing clients are unaffected",
    ),
    Rule("response-header-removed", B, "clients reading this response header no longer find it"),
    Rule(
        "response-header-added", N, "a new response header: clients that ignore it are unaffected"
    ),
    # response schemas
    Rule(
        "response-property-removed",
        B,
        "clients reading this property get nothing (undefined or a KeyError)",
    ),
    Rule(
        "response-property-became-optional",
        B,
        "clients that rely on it always being there break when it is absent",
    ),
    Rule("response-property-added", N, "a new response property: tolerant readers ignore it"),
    Rule(
        "response-property-became-required",
        N,
        "the property is now always there: clients lose nothing",
    ),
    Rule(
        "response-type-widened",
        B,
        "clients parsing the old type(s) meet a value of a new type (e.g. null)",
    ),
    Rule(
        "response-type-narrowed",
        N,
        "the server returns fewer types than before: clients handle all of them",
    ),
    Rule("response-type-changed", B, "clients parsing the old type fail on the new one"),
    Rule(
        "response-enum-value-added",
        B,
        "strict clients (closed enums in generated code) fail on the new value",
    ),
    Rule(
        "response-enum-value-removed",
        N,
        "the server stops returning a value: clients keep handling the others",
    ),
    Rule(
        "response-format-changed",
        B,
        "clients parsing the old format (a date, a uuid) fail on the new one",
    ),
    Rule(
        "response-variant-added",
        B,
        "clients that know only the old oneOf/anyOf alternatives fail on the new one",
    ),
    Rule(
        "response-variant-removed",
        N,
        "the server returns fewer alternatives: clients handle all of them",
    ),
    Rule("property-deprecated", D, "the property still works but is announced to go"),
    # security
    Rule(
        "security-added",
        B,
        "callers authorised the old way (or anonymous callers) now get 401 or 403",
    ),
    Rule(
        "security-removed",
        N,
        "the operation accepts more ways to authenticate: existing callers keep working",
    ),
)


def _bound_rules() -> tuple[Rule, ...]:
    """Bounds: narrowing a request and widening a response break; the opposites do not."""
    rules = []
    for name, keyword, _ in BOUNDS:
        rules += [
            Rule(
                f"request-{name}-narrowed",
                B,
                f"requests valid under the old {keyword} are now refused",
            ),
            Rule(
                f"request-{name}-widened",
                N,
                f"the server accepts more under {keyword}: existing requests still pass",
            ),
            Rule(
                f"response-{name}-widened",
                B,
                f"clients validating the old {keyword} reject the new values",
            ),
            Rule(
                f"response-{name}-narrowed",
                N,
                f"responses stay within the old {keyword}: clients are unaffected",
            ),
        ]
    return tuple(rules)


#: id -> rule, in catalog order (the docs table and `--list-rules` use this order)
RULES: dict[str, Rule] = {rule.id: rule for rule in (*_FIXED, *_bound_rules())}
