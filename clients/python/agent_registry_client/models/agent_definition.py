from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="AgentDefinition")


@_attrs_define
class AgentDefinition:
    """Exactly the Claude Agent SDK's `AgentDefinition` fields; absent ones are omitted.

    Attributes:
        description (str):
        prompt (str):
        tools (list[str] | None | Unset):
        disallowed_tools (list[str] | None | Unset):
        model (None | str | Unset):
        max_turns (int | None | Unset):
        mcp_servers (list[Any] | None | Unset):
        permission_mode (None | str | Unset):
        memory (None | str | Unset):
        effort (Any | Unset): As written; `low`, `medium`, `high` or `max` expected.
        background (bool | None | Unset):
        initial_prompt (Any | Unset): As written; a string expected.
    """

    description: str
    prompt: str
    tools: list[str] | None | Unset = UNSET
    disallowed_tools: list[str] | None | Unset = UNSET
    model: None | str | Unset = UNSET
    max_turns: int | None | Unset = UNSET
    mcp_servers: list[Any] | None | Unset = UNSET
    permission_mode: None | str | Unset = UNSET
    memory: None | str | Unset = UNSET
    effort: Any | Unset = UNSET
    background: bool | None | Unset = UNSET
    initial_prompt: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        prompt = self.prompt

        tools: list[str] | None | Unset
        if isinstance(self.tools, Unset):
            tools = UNSET
        elif isinstance(self.tools, list):
            tools = self.tools

        else:
            tools = self.tools

        disallowed_tools: list[str] | None | Unset
        if isinstance(self.disallowed_tools, Unset):
            disallowed_tools = UNSET
        elif isinstance(self.disallowed_tools, list):
            disallowed_tools = self.disallowed_tools

        else:
            disallowed_tools = self.disallowed_tools

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        max_turns: int | None | Unset
        if isinstance(self.max_turns, Unset):
            max_turns = UNSET
        else:
            max_turns = self.max_turns

        mcp_servers: list[Any] | None | Unset
        if isinstance(self.mcp_servers, Unset):
            mcp_servers = UNSET
        elif isinstance(self.mcp_servers, list):
            mcp_servers = self.mcp_servers

        else:
            mcp_servers = self.mcp_servers

        permission_mode: None | str | Unset
        if isinstance(self.permission_mode, Unset):
            permission_mode = UNSET
        else:
            permission_mode = self.permission_mode

        memory: None | str | Unset
        if isinstance(self.memory, Unset):
            memory = UNSET
        else:
            memory = self.memory

        effort = self.effort

        background: bool | None | Unset
        if isinstance(self.background, Unset):
            background = UNSET
        else:
            background = self.background

        initial_prompt = self.initial_prompt

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "description": description,
                "prompt": prompt,
            }
        )
        if tools is not UNSET:
            field_dict["tools"] = tools
        if disallowed_tools is not UNSET:
            field_dict["disallowedTools"] = disallowed_tools
        if model is not UNSET:
            field_dict["model"] = model
        if max_turns is not UNSET:
            field_dict["maxTurns"] = max_turns
        if mcp_servers is not UNSET:
            field_dict["mcpServers"] = mcp_servers
        if permission_mode is not UNSET:
            field_dict["permissionMode"] = permission_mode
        if memory is not UNSET:
            field_dict["memory"] = memory
        if effort is not UNSET:
            field_dict["effort"] = effort
        if background is not UNSET:
            field_dict["background"] = background
        if initial_prompt is not UNSET:
            field_dict["initialPrompt"] = initial_prompt

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        prompt = d.pop("prompt")

        def _parse_tools(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tools_type_0 = cast(list[str], data)

                return tools_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        tools = _parse_tools(d.pop("tools", UNSET))

        def _parse_disallowed_tools(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                disallowed_tools_type_0 = cast(list[str], data)

                return disallowed_tools_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        disallowed_tools = _parse_disallowed_tools(d.pop("disallowedTools", UNSET))

        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        def _parse_max_turns(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_turns = _parse_max_turns(d.pop("maxTurns", UNSET))

        def _parse_mcp_servers(data: object) -> list[Any] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                mcp_servers_type_0 = cast(list[Any], data)

                return mcp_servers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Any] | None | Unset, data)

        mcp_servers = _parse_mcp_servers(d.pop("mcpServers", UNSET))

        def _parse_permission_mode(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        permission_mode = _parse_permission_mode(d.pop("permissionMode", UNSET))

        def _parse_memory(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        memory = _parse_memory(d.pop("memory", UNSET))

        effort = d.pop("effort", UNSET)

        def _parse_background(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        background = _parse_background(d.pop("background", UNSET))

        initial_prompt = d.pop("initialPrompt", UNSET)

        agent_definition = cls(
            description=description,
            prompt=prompt,
            tools=tools,
            disallowed_tools=disallowed_tools,
            model=model,
            max_turns=max_turns,
            mcp_servers=mcp_servers,
            permission_mode=permission_mode,
            memory=memory,
            effort=effort,
            background=background,
            initial_prompt=initial_prompt,
        )

        return agent_definition
