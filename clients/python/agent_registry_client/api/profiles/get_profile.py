from http import HTTPStatus
from typing import Any, Literal, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.get_profile_format_type_0 import GetProfileFormatType0
from ...models.problem import Problem
from ...models.profile import Profile
from ...types import UNSET, Response, Unset


def _get_kwargs(
    spec: str,
    *,
    format_: GetProfileFormatType0 | None | Unset = UNSET,
    resolve: Literal["latest"] | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_format_: None | str | Unset
    if isinstance(format_, Unset):
        json_format_ = UNSET
    elif isinstance(format_, GetProfileFormatType0):
        json_format_ = format_.value
    else:
        json_format_ = format_
    params["format"] = json_format_

    json_resolve: Literal["latest"] | None | Unset
    if isinstance(resolve, Unset):
        json_resolve = UNSET
    else:
        json_resolve = resolve
    params["resolve"] = json_resolve

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/profiles/{spec}".format(
            spec=quote(str(spec), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | Profile | None:
    if response.status_code == 200:
        response_200 = Profile.from_dict(response.json())

        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

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
) -> Response[Any | Problem | Profile]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    spec: str,
    *,
    client: AuthenticatedClient | Client,
    format_: GetProfileFormatType0 | None | Unset = UNSET,
    resolve: Literal["latest"] | None | Unset = UNSET,
) -> Response[Any | Problem | Profile]:
    """The resolved profile of `name@ref` (exact version, range, tag, digest; bare = latest)

    Args:
        spec (str):
        format_ (GetProfileFormatType0 | None | Unset): Overrides `Accept`: json or markdown.
        resolve (Literal['latest'] | None | Unset): `latest`: re-resolve skills and toolsets
            against today's versions.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | Profile]
    """

    kwargs = _get_kwargs(
        spec=spec,
        format_=format_,
        resolve=resolve,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    spec: str,
    *,
    client: AuthenticatedClient | Client,
    format_: GetProfileFormatType0 | None | Unset = UNSET,
    resolve: Literal["latest"] | None | Unset = UNSET,
) -> Any | Problem | Profile | None:
    """The resolved profile of `name@ref` (exact version, range, tag, digest; bare = latest)

    Args:
        spec (str):
        format_ (GetProfileFormatType0 | None | Unset): Overrides `Accept`: json or markdown.
        resolve (Literal['latest'] | None | Unset): `latest`: re-resolve skills and toolsets
            against today's versions.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | Profile
    """

    return sync_detailed(
        spec=spec,
        client=client,
        format_=format_,
        resolve=resolve,
    ).parsed


async def asyncio_detailed(
    spec: str,
    *,
    client: AuthenticatedClient | Client,
    format_: GetProfileFormatType0 | None | Unset = UNSET,
    resolve: Literal["latest"] | None | Unset = UNSET,
) -> Response[Any | Problem | Profile]:
    """The resolved profile of `name@ref` (exact version, range, tag, digest; bare = latest)

    Args:
        spec (str):
        format_ (GetProfileFormatType0 | None | Unset): Overrides `Accept`: json or markdown.
        resolve (Literal['latest'] | None | Unset): `latest`: re-resolve skills and toolsets
            against today's versions.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | Profile]
    """

    kwargs = _get_kwargs(
        spec=spec,
        format_=format_,
        resolve=resolve,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    spec: str,
    *,
    client: AuthenticatedClient | Client,
    format_: GetProfileFormatType0 | None | Unset = UNSET,
    resolve: Literal["latest"] | None | Unset = UNSET,
) -> Any | Problem | Profile | None:
    """The resolved profile of `name@ref` (exact version, range, tag, digest; bare = latest)

    Args:
        spec (str):
        format_ (GetProfileFormatType0 | None | Unset): Overrides `Accept`: json or markdown.
        resolve (Literal['latest'] | None | Unset): `latest`: re-resolve skills and toolsets
            against today's versions.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | Profile
    """

    return (
        await asyncio_detailed(
            spec=spec,
            client=client,
            format_=format_,
            resolve=resolve,
        )
    ).parsed
