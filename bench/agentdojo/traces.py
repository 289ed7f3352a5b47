"""Runs AgentDojo ground-truth calls against a suite's environment and keeps each call with the
tool output exactly as the agent saw it (the benchmark's own formatter), benign or with the
benchmark's `important_instructions` attack placed in the injection vectors."""

from dataclasses import dataclass, field

import suites  # noqa: F401  (first: keeps the held-out suites from being imported)
import synthesized
from agentdojo.agent_pipeline.base_pipeline_element import BasePipelineElement
from agentdojo.agent_pipeline.tool_execution import tool_result_to_str
from agentdojo.attacks.important_instructions_attacks import ImportantInstructionsAttack
from agentdojo.functions_runtime import FunctionsRuntime

# The attack text names the victim model; the benchmark derives it from the pipeline's name. This
# model id is one the benchmark knows ("GPT-4"); nothing is ever sent to a model.
ATTACKED_MODEL = "gpt-4o-2024-05-13"
# Every important_instructions injection opens with this tag, on a line of its own, so it survives
# the YAML formatting of tool outputs (long lines of the goal may be folded).
INJECTION_MARK = "<INFORMATION>"

# Tool module of the benchmark -> MCP server a real deployment would run for that family of tools.
SERVER_OF_MODULE = {
    "email_client": "mail",
    "calendar_client": "calendar",
    "cloud_drive_client": "drive",
    "travel_booking_client": "travel",
}


@dataclass
class Call:
    server: str
    name: str
    arguments: dict
    output: str
    is_error: bool
    # "user" for the user task's own calls, "injection" for the injected task's.
    origin: str = "user"
    carries_injection: bool = False


@dataclass
class Trace:
    suite: str
    user_task: str
    injection_task: str | None = None
    # "benchmark" or "synthesized" (see synthesized.py), for attack traces.
    injection_source: str | None = None
    calls: list[Call] = field(default_factory=list)
    injections: dict[str, str] = field(default_factory=dict)


class _NamedPipeline(BasePipelineElement):
    """Stands in for the attacked agent: only its name is read (to name the model in the attack)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def query(self, query, runtime, env=None, messages=(), extra_args=None):  # pragma: no cover - never run
        raise NotImplementedError


def server_of(function) -> str:
    module = function.run.__module__.rsplit(".", 1)[-1]
    return SERVER_OF_MODULE[module]


def tool_definitions(suite) -> dict[str, list[dict]]:
    """Per server, the MCP `tools/list` entries of the suite's tools: real name, description, input schema."""
    servers: dict[str, list[dict]] = {}
    for f in suite.tools:
        schema = f.parameters.model_json_schema()
        schema.pop("title", None)
        servers.setdefault(server_of(f), []).append({"name": f.name, "description": f.description, "inputSchema": schema})
    return servers


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _run(runtime, env, function_call, origin: str) -> Call:
    result, error = runtime.run_function(env, function_call.function, function_call.args, raise_on_error=False)
    output = error if error is not None else tool_result_to_str(result)
    return Call(
        server=server_of(runtime.functions[function_call.function]),
        name=function_call.function,
        arguments=_jsonable(dict(function_call.args)),
        output=output,
        is_error=error is not None,
        origin=origin,
        carries_injection=INJECTION_MARK in output,
    )


def benign_trace(suite_name: str, suite, user_task) -> Trace:
    env = suite.load_and_inject_default_environment({})
    runtime = FunctionsRuntime(suite.tools)
    trace = Trace(suite=suite_name, user_task=user_task.ID)
    for fc in user_task.ground_truth(env):
        trace.calls.append(_run(runtime, env, fc, "user"))
    return trace


def attack_for(suite):
    return ImportantInstructionsAttack(suite, _NamedPipeline(ATTACKED_MODEL))


def attack_trace(suite_name: str, suite, attack, user_task, injection_task) -> Trace | None:
    """The user task's calls with the injection in place, the injection task's calls right after the
    first call whose output carries the injected text; None when the user task sees no injection."""
    try:
        injections = attack.attack(user_task, injection_task)
    except ValueError:  # the benchmark's "not injectable": no injection vector is seen by this task
        return None
    env = suite.load_and_inject_default_environment(injections)
    runtime = FunctionsRuntime(suite.tools)
    trace = Trace(suite=suite_name, user_task=user_task.ID, injection_task=injection_task.ID, injections=injections)
    injected = False
    for fc in user_task.ground_truth(env):
        call = _run(runtime, env, fc, "user")
        trace.calls.append(call)
        if call.carries_injection and not injected:
            injected = True
            # What the hijacked agent does, computed on the environment as it is at that moment.
            planned = synthesized.plan(injection_task.ID, injection_task, env) if suite_name == "workspace" else None
            trace.injection_source = "benchmark" if planned is None else "synthesized"
            for ifc in planned if planned is not None else injection_task.ground_truth(env):
                trace.calls.append(_run(runtime, env, ifc, "injection"))
    return trace if injected else None
