"""Which members the gateway can use right now.

At start the gateway asks every member for its SDL (``_service { sdl }``)
and checks it against the contract. A member that answers and matches is
*loaded*; one that differs is *excluded* (or, by the network file's choice,
stops the start); one that does not answer is *unreachable* and is asked
again in the background until it answers.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..config import MemberConfig, NetworkConfig
from ..errors import ConfigurationError, MemberError
from ..members.client import MemberClient
from .contract import Contract, ContractDifference

__all__ = ["MemberRegistry", "MemberState", "MemberStatus"]

logger = logging.getLogger("gateway.composition")

_SDL_QUERY = "query MemberSchema { _service { sdl } }"


class MemberStatus(enum.Enum):
    PENDING = "pending"
    LOADED = "loaded"
    EXCLUDED = "excluded"
    UNREACHABLE = "unreachable"


@dataclass
class MemberState:
    config: MemberConfig
    status: MemberStatus = MemberStatus.PENDING
    differences: list[ContractDifference] = field(default_factory=list)
    problem: str | None = None


class MemberRegistry:
    def __init__(
        self, network: NetworkConfig, contract: Contract, client: MemberClient
    ) -> None:
        self.network = network
        self.contract = contract
        self._client = client
        self.states = {m.code: MemberState(m) for m in network.members}
        self._retry_task: asyncio.Task[None] | None = None

    @property
    def ready(self) -> bool:
        settled = (MemberStatus.LOADED, MemberStatus.EXCLUDED)
        return all(state.status in settled for state in self.states.values())

    def state(self, code: str) -> MemberState | None:
        return self.states.get(code)

    async def reload(self, network: NetworkConfig) -> None:
        """Take a new network file: load added members, drop removed ones.

        Members whose entry did not change keep their state. The old network
        and states are replaced, not changed, so requests that started
        before keep the members they started with.
        """
        kept = {
            code: state
            for code, state in self.states.items()
            if network.member(code) == state.config
        }
        states = {m.code: kept.get(m.code) or MemberState(m) for m in network.members}
        await self._load(s for s in states.values() if s.status is MemberStatus.PENDING)
        self.network, self.states = network, states
        logger.info(
            "network reloaded",
            extra={"members": ",".join(states), "added": len(states) - len(kept)},
        )

    async def start(self) -> None:
        """Load every member once; keep retrying the unreachable ones."""
        await self._load(self.states.values())
        refused = [s for s in self.states.values() if s.status is MemberStatus.EXCLUDED]
        if refused and self.network.settings.on_contract_mismatch == "refuse":
            raise ConfigurationError(_describe_mismatches(refused))
        self._retry_task = asyncio.create_task(self._retry_unreachable())

    async def stop(self) -> None:
        if self._retry_task is not None:
            self._retry_task.cancel()
            await asyncio.gather(self._retry_task, return_exceptions=True)

    async def _load(self, states: Iterable[MemberState]) -> None:
        await asyncio.gather(*(self._load_one(state) for state in states))

    async def _load_one(self, state: MemberState) -> None:
        code = state.config.code
        try:
            answer = await self._client.execute(
                state.config,
                _SDL_QUERY,
                time_limit=self.network.settings.member_timeout,
            )
            sdl = (answer.data or {})["_service"]["sdl"]
        except MemberError as error:
            state.status, state.problem = MemberStatus.UNREACHABLE, error.reason
            logger.warning(
                "member unreachable", extra={"member": code, "error": error.reason}
            )
            return
        except (KeyError, TypeError):
            state.status, state.problem = MemberStatus.EXCLUDED, "no _service { sdl }"
            logger.error("member has no federation SDL", extra={"member": code})
            return
        state.differences = self.contract.differences(sdl)
        if state.differences:
            state.status, state.problem = (
                MemberStatus.EXCLUDED,
                "differs from the contract",
            )
            logger.error(
                "member differs from the contract",
                extra={
                    "member": code,
                    "differences": [str(d) for d in state.differences],
                },
            )
            return
        state.status, state.problem = MemberStatus.LOADED, None
        logger.info("member loaded", extra={"member": code})

    async def _retry_unreachable(self) -> None:
        # Soon at first (members often start alongside the gateway), then
        # less often, up to the configured interval.
        pause = min(0.5, self.network.settings.retry_interval)
        while True:
            await asyncio.sleep(pause)
            pause = min(pause * 2, self.network.settings.retry_interval)
            waiting = [
                s for s in self.states.values() if s.status is MemberStatus.UNREACHABLE
            ]
            if waiting:
                await self._load(waiting)


def _describe_mismatches(states: list[MemberState]) -> str:
    lines = ["members that do not implement the contract:"]
    for state in states:
        lines.append(f"  {state.config.code} ({state.problem}):")
        lines += [f"    {difference}" for difference in state.differences]
    return "\n".join(lines)
