from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.tag_request import TagRequest
from ...models.tagged import Tagged
from ...types import Response


def _get_kwargs(
    name: str,
    tag: str,
    *,
    body: TagRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/skills/{name}/tags/{tag}".format(
            name=quote(str(name), safe=""),
            tag=quote(str(tag), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | Tagged | None:
    if response.status_code == 200:
        response_200 = Tagged.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | Tagged]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    name: str,
    tag: str,
    *,
    client: AuthenticatedClient,
    body: TagRequest,
) -> Response[Problem | Tagged]:
    """Point a tag of a skill at a version (creates or moves it)

    Args:
        name (str):
        tag (str):
        body (TagRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Tagged]
    """

    kwargs = _get_kwargs(
        name=name,
        tag=tag,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    name: str,
    tag: str,
    *,
    client: AuthenticatedClient,
    body: TagRequest,
) -> Problem | Tagged | None:
    """Point a tag of a skill at a version (creates or moves it)

    Args:
        name (str):
        tag (str):
        body (TagRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Tagged
    """

    return sync_detailed(
        name=name,
        tag=tag,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    name: str,
    tag: str,
    *,
    client: AuthenticatedClient,
    body: TagRequest,
) -> Response[Problem | Tagged]:
    """Point a tag of a skill at a version (creates or moves it)

    Args:
        name (str):
        tag (str):
        body (TagRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Tagged]
    """

    kwargs = _get_kwargs(
        name=name,
        tag=tag,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    name: str,
    tag: str,
    *,
    client: AuthenticatedClient,
    body: TagRequest,
) -> Problem | Tagged | None:
    """Point a tag of a skill at a version (creates or moves it)

    Args:
        name (str):
        tag (str):
        body (TagRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Tagged
    """

    return (
        await asyncio_detailed(
            name=name,
            tag=tag,
            client=client,
            body=body,
        )
    ).parsed
