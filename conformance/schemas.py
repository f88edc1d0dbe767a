"""Schemathesis schemas for the run, configured once: waivers, target, examples, seed, phases.

The configuration starts from the waivers (``schemathesis.toml``), never from a
``schemathesis.toml`` Schemathesis would otherwise discover around the working directory.
The base URL must be set before any operation is touched (an operation captures it when
first created), and Hypothesis' example database would replay one target's failures
against the next, so it is off (``--seed`` makes a run repeatable instead).
"""

from __future__ import annotations

import functools

import hypothesis
import schemathesis
from schemathesis import GenerationMode

from refarch.conformance.generated_auth import use_bearer_tokens
from refarch.conformance.options import RunOptions
from refarch.conformance.waivers import schemathesis_config
from refarch.specs import Operation, operations, spec_path

__all__ = ["hypothesis_settings", "operation_index", "service_schema"]


@functools.cache
def service_schema(options: RunOptions, service: str) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_path(
        str(spec_path(service, options.version)), config=schemathesis_config()
    )
    schema.config.update(base_url=options.api_url)
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=options.max_examples,
        database="none",
    )
    # the coverage phase walks every boundary of every schema: thorough, and the slowest part
    phases = ["examples", "fuzzing"] if options.quick else ["examples", "coverage", "fuzzing"]
    schema.config.phases.update(phases=[*phases, "stateful"])
    if options.seed is not None:
        schema.config.seed = options.seed
    use_bearer_tokens(schema, options.version)
    return schema


def hypothesis_settings(options: RunOptions) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=options.max_examples,
        deadline=None,  # network latency is not a property of the generated data
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        print_blob=False,
    )


@functools.cache
def operation_index(version: str) -> dict[tuple[str, str], Operation]:
    """(METHOD, path as written in the spec) -> operation, for every service."""
    return {(op.method, op.path): op for op in operations(version)}
