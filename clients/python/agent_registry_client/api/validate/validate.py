from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.validate_kind import ValidateKind
from ...models.validation_report import ValidationReport
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    *,
    body: File,
    kind: ValidateKind | Unset = ValidateKind.AGENT,
    name: None | str | Unset = UNSET,
    version: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    json_kind: str | Unset = UNSET
    if not isinstance(kind, Unset):
        json_kind = kind.value

    params["kind"] = json_kind

    json_name: None | str | Unset
    if isinstance(name, Unset):
        json_name = UNSET
    else:
        json_name = name
    params["name"] = json_name

    json_version: None | str | Unset
    if isinstance(version, Unset):
        json_version = UNSET
    else:
        json_version = version
    params["version"] = json_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/validate",
        "params": params,
    }

    _kwargs["content"] = body.payload
    headers["Content-Type"] = "text/markdown"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | ValidationReport | None:
    if response.status_code == 200:
        response_200 = ValidationReport.from_dict(response.json())

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

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

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
) -> Response[Problem | ValidationReport]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: File,
    kind: ValidateKind | Unset = ValidateKind.AGENT,
    name: None | str | Unset = UNSET,
    version: None | str | Unset = UNSET,
) -> Response[Problem | ValidationReport]:
    """Run every publish check on an agent, skill or toolset file; store nothing

    Args:
        kind (ValidateKind | Unset): What the file is. Default: ValidateKind.AGENT.
        name (None | str | Unset): The name it would be published under.
        version (None | str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ValidationReport]
    """

    kwargs = _get_kwargs(
        body=body,
        kind=kind,
        name=name,
        version=version,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: File,
    kind: ValidateKind | Unset = ValidateKind.AGENT,
    name: None | str | Unset = UNSET,
    version: None | str | Unset = UNSET,
) -> Problem | ValidationReport | None:
    """Run every publish check on an agent, skill or toolset file; store nothing

    Args:
        kind (ValidateKind | Unset): What the file is. Default: ValidateKind.AGENT.
        name (None | str | Unset): The name it would be published under.
        version (None | str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ValidationReport
    """

    return sync_detailed(
        client=client,
        body=body,
        kind=kind,
        name=name,
        version=version,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: File,
    kind: ValidateKind | Unset = ValidateKind.AGENT,
    name: None | str | Unset = UNSET,
    version: None | str | Unset = UNSET,
) -> Response[Problem | ValidationReport]:
    """Run every publish check on an agent, skill or toolset file; store nothing

    Args:
        kind (ValidateKind | Unset): What the file is. Default: ValidateKind.AGENT.
        name (None | str | Unset): The name it would be published under.
        version (None | str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ValidationReport]
    """

    kwargs = _get_kwargs(
        body=body,
        kind=kind,
        name=name,
        version=version,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: File,
    kind: ValidateKind | Unset = ValidateKind.AGENT,
    name: None | str | Unset = UNSET,
    version: None | str | Unset = UNSET,
) -> Problem | ValidationReport | None:
    """Run every publish check on an agent, skill or toolset file; store nothing

    Args:
        kind (ValidateKind | Unset): What the file is. Default: ValidateKind.AGENT.
        name (None | str | Unset): The name it would be published under.
        version (None | str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ValidationReport
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            kind=kind,
            name=name,
            version=version,
        )
    ).parsed
