"""Loads AgentDojo's `workspace` and `travel` suites, and nothing else of the benchmark.

`import agentdojo` registers every suite of every benchmark version (its `load_suites` module
imports them all, including the held-out ones). We never want those modules executed, so the
registry module and the version packages are put in place as empty modules first, and only the
workspace and travel modules of each version are imported, in the order the benchmark applies
them. The resulting task lists equal the benchmark's own for BENCHMARK_VERSION.
"""

import datetime
import importlib
import importlib.util
import sys
import types

BENCHMARK_VERSION = "v1.2.2"
SUITES = ("workspace", "travel")

# The benchmark version each suite is at in v1.2.2 (agentdojo/task_suite/load_suites.py).
_SUITE_VERSIONS = {"workspace": (1, 2, 2), "travel": (1, 2, 0)}

# The task updates of each version for our two suites, in the order load_suites imports them.
_UPDATE_MODULES = (
    "v1_1.travel.user_tasks",
    "v1_1_1.travel.injection_tasks",
    "v1_1_1.travel.user_tasks",
    "v1_1_1.workspace.user_tasks",
    "v1_1_2.travel.injection_tasks",
    "v1_1_2.workspace.injection_tasks",
    "v1_1_2.workspace.user_tasks",
    "v1_2.travel.injection_tasks",
    "v1_2.travel.user_tasks",
    "v1_2.workspace.injection_tasks",
    "v1_2.workspace.user_tasks",
    "v1_2_1.workspace.injection_tasks",
    "v1_2_2.workspace.user_tasks",
)
_VERSION_PACKAGES = ("v1", "v1_1", "v1_1_1", "v1_1_2", "v1_2", "v1_2_1", "v1_2_2")
# The shared tool modules our two suites use; any other module of the benchmark's suites is refused.
_TOOL_MODULES = ("calendar_client", "cloud_drive_client", "email_client", "travel_booking_client", "types")


def _empty_package(name: str) -> None:
    """Registers `name` as a package whose __init__ is never run (its submodules still import)."""
    spec = importlib.util.find_spec(name)
    module = types.ModuleType(name)
    module.__path__ = list(spec.submodule_search_locations)  # type: ignore[union-attr]
    module.__spec__ = spec
    sys.modules[name] = module


def _block_registry() -> None:
    registry = types.ModuleType("agentdojo.task_suite.load_suites")

    def refuse(*_args, **_kwargs):
        raise RuntimeError("the suite registry is disabled: only workspace and travel are loaded, by suites.py")

    registry.get_suite = registry.get_suites = registry.register_suite = refuse  # type: ignore[attr-defined]
    sys.modules["agentdojo.task_suite.load_suites"] = registry


def _guard() -> None:
    """Runs before anything of agentdojo is imported: import this module first."""
    if "agentdojo" in sys.modules:
        raise RuntimeError("import suites.py before any agentdojo module")
    _block_registry()
    # Environments are YAML files parsed once per trace; libyaml's loader builds the same objects
    # as the pure-Python one the benchmark calls, an order of magnitude faster. (Dumping, which
    # shapes the tool outputs the agent sees, is left as the benchmark does it.)
    import yaml

    if hasattr(yaml, "CSafeLoader"):
        yaml.safe_load = lambda stream: yaml.load(stream, Loader=yaml.CSafeLoader)
    importlib.import_module("agentdojo")
    _empty_package("agentdojo.default_suites")
    for pkg in _VERSION_PACKAGES:
        _empty_package(f"agentdojo.default_suites.{pkg}")


_guard()


# The benchmark's world is on this day (its calendar's "current day"); tools that stamp what they
# create (a sent mail, a new file) read the wall clock, which would make every export different
# and put the export's own date into the tool outputs.
FROZEN_NOW = datetime.datetime(2024, 5, 15, 10, 0)


class _FrozenDatetime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return FROZEN_NOW


def _freeze_clock(module_name: str) -> None:
    shim = types.ModuleType("datetime")
    shim.__dict__.update(datetime.__dict__)
    shim.datetime = _FrozenDatetime
    sys.modules[module_name].datetime = shim


def _allowed(module: str) -> bool:
    """A module of ours: a version package, a workspace or travel module, or a tool module they use."""
    parts = module.split(".")[2:]
    if not parts:
        return True
    if parts[0] not in _VERSION_PACKAGES:
        return False
    rest = parts[1:]
    if not rest or rest[0] in SUITES:
        return True
    return rest[0] == "tools" and (len(rest) == 1 or rest[1] in _TOOL_MODULES)


def load_suites():
    """{'workspace': TaskSuite, 'travel': TaskSuite} at BENCHMARK_VERSION."""
    workspace = importlib.import_module("agentdojo.default_suites.v1.workspace").workspace_task_suite
    travel = importlib.import_module("agentdojo.default_suites.v1.travel").travel_task_suite
    for mod in _UPDATE_MODULES:
        importlib.import_module(f"agentdojo.default_suites.{mod}")
    for tools in ("email_client", "cloud_drive_client"):
        _freeze_clock(f"agentdojo.default_suites.v1.tools.{tools}")
    loaded = {"workspace": workspace, "travel": travel}
    foreign = [m for m in sys.modules if m.startswith("agentdojo.default_suites") and not _allowed(m)]
    if foreign:
        raise RuntimeError(f"suite modules other than workspace and travel were loaded: {foreign}")
    return {name: suite.get_new_version(_SUITE_VERSIONS[name]) for name, suite in loaded.items()}
