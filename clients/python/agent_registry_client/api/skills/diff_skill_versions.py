from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.diff_skill_versions_format import DiffSkillVersionsFormat
from ...models.problem import Problem
from ...models.version_diff import VersionDiff
from ...types import UNSET, Response, Unset


def _get_kwargs(
    name: str,
    from_: str,
    to: str,
    *,
    format_: DiffSkillVersionsFormat | Unset = DiffSkillVersionsFormat.JSON,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/skills/{name}/diff/{from_}...{to}".format(
            name=quote(str(name), safe=""),
            from_=quote(str(from_), safe=""),
            to=quote(str(to), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | VersionDiff | None:
    if response.status_code == 200:
        response_200 = VersionDiff.from_dict(response.json())

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
) -> Response[Problem | VersionDiff]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    name: str,
    from_: str,
    to: str,
    *,
    client: AuthenticatedClient | Client,
    format_: DiffSkillVersionsFormat | Unset = DiffSkillVersionsFormat.JSON,
) -> Response[Problem | VersionDiff]:
    """Two versions of a skill side by side: fields, grants, skills, instructions

    Args:
        name (str):
        from_ (str): An exact version.
        to (str): An exact version.
        format_ (DiffSkillVersionsFormat | Unset): `text`: a plain unified diff of the published
            files. Default: DiffSkillVersionsFormat.JSON.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | VersionDiff]
    """

    kwargs = _get_kwargs(
        name=name,
        from_=from_,
        to=to,
        format_=format_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    name: str,
    from_: str,
    to: str,
    *,
    client: AuthenticatedClient | Client,
    format_: DiffSkillVersionsFormat | Unset = DiffSkillVersionsFormat.JSON,
) -> Problem | VersionDiff | None:
    """Two versions of a skill side by side: fields, grants, skills, instructions

    Args:
        name (str):
        from_ (str): An exact version.
        to (str): An exact version.
        format_ (DiffSkillVersionsFormat | Unset): `text`: a plain unified diff of the published
            files. Default: DiffSkillVersionsFormat.JSON.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | VersionDiff
    """

    return sync_detailed(
        name=name,
        from_=from_,
        to=to,
        client=client,
        format_=format_,
    ).parsed


async def asyncio_detailed(
    name: str,
    from_: str,
    to: str,
    *,
    client: AuthenticatedClient | Client,
    format_: DiffSkillVersionsFormat | Unset = DiffSkillVersionsFormat.JSON,
) -> Response[Problem | VersionDiff]:
    """Two versions of a skill side by side: fields, grants, skills, instructions

    Args:
        name (str):
        from_ (str): An exact version.
        to (str): An exact version.
        format_ (DiffSkillVersionsFormat | Unset): `text`: a plain unified diff of the published
            files. Default: DiffSkillVersionsFormat.JSON.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | VersionDiff]
    """

    kwargs = _get_kwargs(
        name=name,
        from_=from_,
        to=to,
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    name: str,
    from_: str,
    to: str,
    *,
    client: AuthenticatedClient | Client,
    format_: DiffSkillVersionsFormat | Unset = DiffSkillVersionsFormat.JSON,
) -> Problem | VersionDiff | None:
    """Two versions of a skill side by side: fields, grants, skills, instructions

    Args:
        name (str):
        from_ (str): An exact version.
        to (str): An exact version.
        format_ (DiffSkillVersionsFormat | Unset): `text`: a plain unified diff of the published
            files. Default: DiffSkillVersionsFormat.JSON.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | VersionDiff
    """

    return (
        await asyncio_detailed(
            name=name,
            from_=from_,
            to=to,
            client=client,
            format_=format_,
        )
    ).parsed
