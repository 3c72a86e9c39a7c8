from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.get_profile_signature_format_type_0 import GetProfileSignatureFormatType0
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    spec: str,
    *,
    format_: GetProfileSignatureFormatType0 | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_format_: None | str | Unset
    if isinstance(format_, Unset):
        json_format_ = UNSET
    elif isinstance(format_, GetProfileSignatureFormatType0):
        json_format_ = format_.value
    else:
        json_format_ = format_
    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/profiles/{spec}/signature".format(
            spec=quote(str(spec), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | str | None:
    if response.status_code == 200:
        response_200 = response.text
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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | str]:
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
    format_: GetProfileSignatureFormatType0 | None | Unset = UNSET,
) -> Response[Problem | str]:
    """The detached JWS of the profile `name@ref` returns now (the `Registry-Signature` header)

    Args:
        spec (str):
        format_ (GetProfileSignatureFormatType0 | None | Unset): The format whose bytes are
            signed: json or markdown.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | str]
    """

    kwargs = _get_kwargs(
        spec=spec,
        format_=format_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    spec: str,
    *,
    client: AuthenticatedClient | Client,
    format_: GetProfileSignatureFormatType0 | None | Unset = UNSET,
) -> Problem | str | None:
    """The detached JWS of the profile `name@ref` returns now (the `Registry-Signature` header)

    Args:
        spec (str):
        format_ (GetProfileSignatureFormatType0 | None | Unset): The format whose bytes are
            signed: json or markdown.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | str
    """

    return sync_detailed(
        spec=spec,
        client=client,
        format_=format_,
    ).parsed


async def asyncio_detailed(
    spec: str,
    *,
    client: AuthenticatedClient | Client,
    format_: GetProfileSignatureFormatType0 | None | Unset = UNSET,
) -> Response[Problem | str]:
    """The detached JWS of the profile `name@ref` returns now (the `Registry-Signature` header)

    Args:
        spec (str):
        format_ (GetProfileSignatureFormatType0 | None | Unset): The format whose bytes are
            signed: json or markdown.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | str]
    """

    kwargs = _get_kwargs(
        spec=spec,
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    spec: str,
    *,
    client: AuthenticatedClient | Client,
    format_: GetProfileSignatureFormatType0 | None | Unset = UNSET,
) -> Problem | str | None:
    """The detached JWS of the profile `name@ref` returns now (the `Registry-Signature` header)

    Args:
        spec (str):
        format_ (GetProfileSignatureFormatType0 | None | Unset): The format whose bytes are
            signed: json or markdown.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | str
    """

    return (
        await asyncio_detailed(
            spec=spec,
            client=client,
            format_=format_,
        )
    ).parsed
