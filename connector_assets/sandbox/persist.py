"""Keep a sandbox tenant's simulators between processes: save their state to a file, restart them from it.

`connector demo` ends by saving its simulators beside the connection's files, so a later `connector preview`
or `replay` serves the very company, payrolls, tokens and CloudSuite documents the demo left (a fresh
world from the same seed would lack the demo's hire, its off-cycle payroll and its posted vouchers).

Saved: the Gusto world, OAuth grants and tokens, event log and reports, with the simulator's clock resumed
where it stopped; the ION tenant's credentials, settings, master data, postings, employees and tokens, and
its FSM face. Not saved: webhook subscriptions (their receiver went with the process), injected faults,
counters and rate-limit windows. The file holds sandbox credentials only; it is written owner-readable
and read back with an unpickler that accepts nothing but simulator records and plain values.
"""

from __future__ import annotations

import io
import os
import pickle
import threading
from dataclasses import fields
from pathlib import Path
from typing import Any

from connector_assets.sandbox.gusto import GustoSimulator, SimClock
from connector_assets.sandbox.ion import IonSimulator

STATE_FILE = "simulators.pickle"
FORMAT = 1
_OAUTH = ("codes", "access", "refresh", "grants", "_system_grant", "refreshes", "replayed_refreshes")
_ION_TOKENS = ("_grants", "_access", "_by_refresh", "_auth_times")
_NOT_STATE = ("lock", "config")  # live objects the restarted simulator builds itself
# What a state file may name besides the sandbox's own records.
_PLAIN = {
    "builtins": {"set", "frozenset", "dict", "list", "tuple", "bytearray", "complex"},
    "collections": {"Counter", "deque", "defaultdict", "OrderedDict"},
    "datetime": {"date", "datetime", "time", "timedelta", "timezone"},
    "decimal": {"Decimal"},
    "copyreg": {"_reconstructor"},
}
_LOCKS = (type(threading.Lock()), type(threading.RLock()))


class SimulatorStateError(Exception):
    """The state file is missing, from another format, or names something that is not a simulator record."""


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _LOCKS):  # a lock is rebuilt free: nobody holds it in the next process
            return threading.RLock, ()
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("connector_assets.sandbox.") or name in _PLAIN.get(module, ()):
            return super().find_class(module, name)
        if module == "_thread" and name == "RLock":
            return threading.RLock
        raise SimulatorStateError(f"a simulator state file may not name {module}.{name}")


def _data(obj: Any, keys: tuple[str, ...] | None = None, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in vars(obj).items() if (keys is None or k in keys) and k not in skip}


def simulator_state(gusto: GustoSimulator, ion: IonSimulator) -> dict[str, Any]:
    """Everything needed to serve the same tenant again, as plain records."""
    with gusto.lock, ion.state.lock, ion.fsm.state.lock:
        return {
            "format": FORMAT,
            "gusto": {
                "world": gusto.world, "options": gusto.options, "now": gusto.clock.now(),
                "oauth": _data(gusto.oauth, _OAUTH), "events": gusto.events.events, "reports": gusto.reports,
            },
            "ion": {
                "config": {f.name: getattr(ion.config, f.name) for f in fields(ion.config)},
                "credentials": ion.credentials, "fsm_config": ion.fsm.config,
                "state": _data(ion.state, skip=_NOT_STATE), "fsm_state": _data(ion.fsm.state, skip=_NOT_STATE),
                "tokens": _data(ion.tokens, _ION_TOKENS), "clock_offset": vars(ion.clock)["_offset"],
            },
        }  # fmt: skip


def save_simulators(path: Path, gusto: GustoSimulator, ion: IonSimulator) -> Path:
    """Write both simulators' state to `path` (atomically; owner-readable only)."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(simulator_state(gusto, ion))
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(buffer.getvalue())
    os.replace(partial, path)
    return path


def load_simulators(path: Path) -> tuple[GustoSimulator, IonSimulator]:
    """Simulators serving the state saved in `path` (not yet listening: give their `asgi_app` a server)."""
    try:
        with path.open("rb") as handle:
            saved = _Unpickler(handle).load()
    except FileNotFoundError:
        raise SimulatorStateError(f"no simulator state at {path}") from None
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        raise SimulatorStateError(f"{path} is not a simulator state file ({exc})") from None
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise SimulatorStateError(f"{path} was written by another version of the sandbox")
    g, i = saved["gusto"], saved["ion"]
    gusto = GustoSimulator(g["world"], options=g["options"], clock=SimClock(start=g["now"]))
    gusto.oauth.__dict__.update(g["oauth"])
    gusto.events.events = g["events"]
    gusto.reports.update(g["reports"])
    config = dict(i["config"])
    ion = IonSimulator(config.pop("tenant"), credentials=i["credentials"], fsm=i["fsm_config"], **config)
    ion.state.__dict__.update(i["state"])
    ion.fsm.state.__dict__.update(i["fsm_state"])
    ion.tokens.__dict__.update(i["tokens"])
    vars(ion.clock)["_offset"] = i["clock_offset"]
    return gusto, ion
