// How a TypeScript program uses the generated types (schema.d.ts) with plain `fetch`.
// Type-checked by `npx tsc --noEmit -p clients/typescript` (tests/contract/test_typescript_client.py):
// when the API changes shape, this file stops compiling.
import type { components, operations } from "./schema";

export type Profile = components["schemas"]["Profile"];
export type VersionDetail = components["schemas"]["VersionDetail"];
export type Problem = components["schemas"]["Problem"];

type GetProfile = operations["get_profile"];
type PublishAgent = operations["publish_agent_version"];

/** An RFC 9457 problem answered by the registry (`application/problem+json`). */
export class RegistryProblem extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
  }
}

async function problemOf(response: Response): Promise<RegistryProblem> {
  return new RegistryProblem((await response.json()) as Problem);
}

/** `GET /v1/profiles/{name}@{ref}`: exact version, range (`^1`), tag (`latest`) or digest. */
export async function getProfile(
  baseUrl: string,
  path: GetProfile["parameters"]["path"],
  query: NonNullable<GetProfile["parameters"]["query"]> = {},
): Promise<{ profile: Profile; etag: string | null }> {
  const url = new URL(`/v1/profiles/${encodeURIComponent(path.spec)}`, baseUrl);
  if (query.resolve) url.searchParams.set("resolve", query.resolve);
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw await problemOf(response);
  const profile: GetProfile["responses"][200]["content"]["application/json"] = await response.json();
  return { profile, etag: response.headers.get("ETag") };
}

/** `PUT /v1/agents/{name}/versions/{version}`: publish an agent file's exact bytes. */
export async function publishAgent(
  baseUrl: string,
  path: PublishAgent["parameters"]["path"],
  file: PublishAgent["requestBody"]["content"]["text/markdown"],
): Promise<{ created: boolean; version: VersionDetail }> {
  const url = new URL(
    `/v1/agents/${encodeURIComponent(path.name)}/versions/${encodeURIComponent(path.version)}`,
    baseUrl,
  );
  const response = await fetch(url, {
    method: "PUT",
    headers: { "Content-Type": "text/markdown" },
    body: file,
  });
  if (response.status !== 201 && response.status !== 200) throw await problemOf(response);
  const version: PublishAgent["responses"][201]["content"]["application/json"] = await response.json();
  return { created: response.status === 201, version };
}

/** Publish, then read the agent back as its resolved profile. */
export async function example(baseUrl: string, markdown: string): Promise<string[]> {
  const { version } = await publishAgent(baseUrl, { name: "reviewer", version: "1.0.0" }, markdown);
  const { profile } = await getProfile(baseUrl, { spec: `${version.name}@^1` });
  return [
    `${profile.namespace}/${profile.name}@${profile.version} ${profile.digest}`,
    ...profile.skills.map((skill) => `skill ${skill.name}@${skill.version}`),
    ...profile.tools.grants.map((grant) => `tool ${grant.rule}`),
  ];
}
