from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.search_kind_type_0_item import SearchKindType0Item
from ...models.search_page import SearchPage
from ...models.search_sort_type_0 import SearchSortType0
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    q: None | str | Unset = UNSET,
    kind: list[SearchKindType0Item] | None | Unset = UNSET,
    namespace: None | str | Unset = UNSET,
    skill: None | str | Unset = UNSET,
    tool: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    sort: None | SearchSortType0 | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_q: None | str | Unset
    if isinstance(q, Unset):
        json_q = UNSET
    else:
        json_q = q
    params["q"] = json_q

    json_kind: list[str] | None | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    elif isinstance(kind, list):
        json_kind = []
        for kind_type_0_item_data in kind:
            kind_type_0_item = kind_type_0_item_data.value
            json_kind.append(kind_type_0_item)

    else:
        json_kind = kind
    params["kind"] = json_kind

    json_namespace: None | str | Unset
    if isinstance(namespace, Unset):
        json_namespace = UNSET
    else:
        json_namespace = namespace
    params["namespace"] = json_namespace

    json_skill: None | str | Unset
    if isinstance(skill, Unset):
        json_skill = UNSET
    else:
        json_skill = skill
    params["skill"] = json_skill

    json_tool: None | str | Unset
    if isinstance(tool, Unset):
        json_tool = UNSET
    else:
        json_tool = tool
    params["tool"] = json_tool

    json_model: None | str | Unset
    if isinstance(model, Unset):
        json_model = UNSET
    else:
        json_model = model
    params["model"] = json_model

    json_sort: None | str | Unset
    if isinstance(sort, Unset):
        json_sort = UNSET
    elif isinstance(sort, SearchSortType0):
        json_sort = sort.value
    else:
        json_sort = sort
    params["sort"] = json_sort

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/search",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SearchPage | None:
    if response.status_code == 200:
        response_200 = SearchPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | SearchPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    q: None | str | Unset = UNSET,
    kind: list[SearchKindType0Item] | None | Unset = UNSET,
    namespace: None | str | Unset = UNSET,
    skill: None | str | Unset = UNSET,
    tool: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    sort: None | SearchSortType0 | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Response[Problem | SearchPage]:
    """Search agents, skills and toolsets: ranked words, similar names, filters

    Args:
        q (None | str | Unset): Words in the name, description or instructions (web-search syntax:
            `"quoted phrase"`, `-excluded`, `or`); names also match when misspelt.
        kind (list[SearchKindType0Item] | None | Unset):
        namespace (None | str | Unset):
        skill (None | str | Unset): Only artifacts whose latest version uses this skill.
        tool (None | str | Unset): Only artifacts granting this tool (`Bash`, `Read`…).
        model (None | str | Unset):
        sort (None | SearchSortType0 | Unset): `relevance` (default with `q`), `name` (default
            without), `published`.
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SearchPage]
    """

    kwargs = _get_kwargs(
        q=q,
        kind=kind,
        namespace=namespace,
        skill=skill,
        tool=tool,
        model=model,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    q: None | str | Unset = UNSET,
    kind: list[SearchKindType0Item] | None | Unset = UNSET,
    namespace: None | str | Unset = UNSET,
    skill: None | str | Unset = UNSET,
    tool: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    sort: None | SearchSortType0 | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Problem | SearchPage | None:
    """Search agents, skills and toolsets: ranked words, similar names, filters

    Args:
        q (None | str | Unset): Words in the name, description or instructions (web-search syntax:
            `"quoted phrase"`, `-excluded`, `or`); names also match when misspelt.
        kind (list[SearchKindType0Item] | None | Unset):
        namespace (None | str | Unset):
        skill (None | str | Unset): Only artifacts whose latest version uses this skill.
        tool (None | str | Unset): Only artifacts granting this tool (`Bash`, `Read`…).
        model (None | str | Unset):
        sort (None | SearchSortType0 | Unset): `relevance` (default with `q`), `name` (default
            without), `published`.
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SearchPage
    """

    return sync_detailed(
        client=client,
        q=q,
        kind=kind,
        namespace=namespace,
        skill=skill,
        tool=tool,
        model=model,
        sort=sort,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    q: None | str | Unset = UNSET,
    kind: list[SearchKindType0Item] | None | Unset = UNSET,
    namespace: None | str | Unset = UNSET,
    skill: None | str | Unset = UNSET,
    tool: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    sort: None | SearchSortType0 | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Response[Problem | SearchPage]:
    """Search agents, skills and toolsets: ranked words, similar names, filters

    Args:
        q (None | str | Unset): Words in the name, description or instructions (web-search syntax:
            `"quoted phrase"`, `-excluded`, `or`); names also match when misspelt.
        kind (list[SearchKindType0Item] | None | Unset):
        namespace (None | str | Unset):
        skill (None | str | Unset): Only artifacts whose latest version uses this skill.
        tool (None | str | Unset): Only artifacts granting this tool (`Bash`, `Read`…).
        model (None | str | Unset):
        sort (None | SearchSortType0 | Unset): `relevance` (default with `q`), `name` (default
            without), `published`.
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SearchPage]
    """

    kwargs = _get_kwargs(
        q=q,
        kind=kind,
        namespace=namespace,
        skill=skill,
        tool=tool,
        model=model,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    q: None | str | Unset = UNSET,
    kind: list[SearchKindType0Item] | None | Unset = UNSET,
    namespace: None | str | Unset = UNSET,
    skill: None | str | Unset = UNSET,
    tool: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    sort: None | SearchSortType0 | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Problem | SearchPage | None:
    """Search agents, skills and toolsets: ranked words, similar names, filters

    Args:
        q (None | str | Unset): Words in the name, description or instructions (web-search syntax:
            `"quoted phrase"`, `-excluded`, `or`); names also match when misspelt.
        kind (list[SearchKindType0Item] | None | Unset):
        namespace (None | str | Unset):
        skill (None | str | Unset): Only artifacts whose latest version uses this skill.
        tool (None | str | Unset): Only artifacts granting this tool (`Bash`, `Read`…).
        model (None | str | Unset):
        sort (None | SearchSortType0 | Unset): `relevance` (default with `q`), `name` (default
            without), `published`.
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SearchPage
    """

    return (
        await asyncio_detailed(
            client=client,
            q=q,
            kind=kind,
            namespace=namespace,
            skill=skill,
            tool=tool,
            model=model,
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
