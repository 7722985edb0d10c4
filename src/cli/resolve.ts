/**
 * What a user may type for a thing: its full id, a unique id prefix (the short
 * ids the tables show), or its name. An exact id wins, then an exact name,
 * then an id prefix; two matches are an error that lists them, no match is an
 * error that says what was searched.
 */
import type { ApiClient } from './api-client.js';
import {
  MAX_PAGE_LIMIT,
  type ApiToken,
  type Service,
  type User,
  type Webhook,
} from './api-types.js';
import { CliError } from './cli-error.js';
import { shortId } from './output.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (text: string) => UUID.test(text);

interface Candidate {
  id: string;
  name?: string;
}

interface Kind<T> {
  /** "service", "webhook handler", "action" */
  noun: string;
  /** Where the search looked, for the "no match" message: "12 services on http://…". */
  searched: string;
  describe(item: T): string;
}

/** Picks one item for `ref`, or throws a CliError that lists candidates or says what was searched. */
export function pick<T extends Candidate>(items: readonly T[], ref: string, kind: Kind<T>): T {
  const needle = ref.trim().toLowerCase();
  if (!needle) throw new CliError(`an empty ${kind.noun} name or id matches nothing.`);
  const byId = items.find((item) => item.id.toLowerCase() === needle);
  if (byId) return byId;
  const byName = items.filter((item) => item.name === ref.trim());
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw ambiguous(ref, byName, kind, 'name');
  const byPrefix = items.filter((item) => item.id.toLowerCase().startsWith(needle));
  if (byPrefix.length === 1) return byPrefix[0]!;
  if (byPrefix.length > 1) throw ambiguous(ref, byPrefix, kind, 'id prefix');
  const similar = items.filter((item) => item.name?.toLowerCase().includes(needle));
  const hint =
    similar.length > 0
      ? ` Did you mean ${similar
          .slice(0, 5)
          .map((item) => `"${item.name}"`)
          .join(', ')}?`
      : '';
  throw new CliError(
    `no ${kind.noun} has the id, id prefix or name "${ref}" (searched ${kind.searched}).${hint}`,
  );
}

function ambiguous<T extends Candidate>(ref: string, matches: T[], kind: Kind<T>, by: string) {
  const lines = matches.map((item) => `  ${kind.describe(item)}`).join('\n');
  return new CliError(
    `"${ref}" is ambiguous: it is the ${by} of ${matches.length} ${kind.noun}s. Use an id, or a longer id prefix:\n${lines}`,
  );
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const describeService = (s: Service) => `${shortId(s.id)}  ${s.name}  (${s.kind}, ${s.imageRef})`;

/** Resolves each SERVICE argument; lists services once, and not at all for full UUIDs. */
export async function resolveServices(
  client: ApiClient,
  refs: readonly string[],
): Promise<Service[]> {
  let listed: Service[] | undefined;
  const resolved: Service[] = [];
  for (const ref of refs) {
    if (isUuid(ref.trim())) {
      resolved.push(await client.getService(ref.trim()));
      continue;
    }
    listed ??= (await client.listServices()).services;
    resolved.push(
      pick(listed, ref, {
        noun: 'service',
        searched: `the ${plural(listed.length, 'service')} on ${client.baseUrl}`,
        describe: describeService,
      }),
    );
  }
  return resolved;
}

export async function resolveService(client: ApiClient, ref: string): Promise<Service> {
  const [service] = await resolveServices(client, [ref]);
  return service!;
}

/**
 * Resolves each HANDLER argument among the service's active handlers (a
 * revoked handler's name may be in use again); a full UUID is taken as is.
 */
export async function resolveWebhooks(
  client: ApiClient,
  service: Service,
  refs: readonly string[],
): Promise<Webhook[]> {
  const { webhooks } = await client.listWebhooks(service.id);
  const active = webhooks.filter((w) => w.revokedAt === null);
  return refs.map((ref) => {
    const exact = webhooks.find((w) => w.id.toLowerCase() === ref.trim().toLowerCase());
    if (exact) return exact;
    return pick(active, ref, {
      noun: 'webhook handler',
      searched: `the ${plural(active.length, 'active webhook handler')} of service ${service.name}`,
      describe: (w) => `${shortId(w.id)}  ${w.name}  (${w.operation})`,
    });
  });
}

/** An action id from a full id or a unique prefix of one of the last MAX_PAGE_LIMIT actions. */
export async function resolveActionId(client: ApiClient, ref: string): Promise<string> {
  const trimmed = ref.trim();
  if (isUuid(trimmed)) return trimmed;
  const { actions } = await client.listActions({ limit: MAX_PAGE_LIMIT });
  return pick(actions, trimmed, {
    noun: 'action',
    searched: `the last ${plural(actions.length, 'action')} on ${client.baseUrl}`,
    describe: (a) => `${a.id}  ${a.type}  ${a.state}  ${a.createdAt}`,
  }).id;
}

/**
 * A user by username (exactly, as the server stores it; case-insensitively when
 * that is unique). Users are addressed by username, not id: the list is short.
 */
export async function resolveUser(client: ApiClient, username: string): Promise<User> {
  const { users } = await client.listUsers();
  const wanted = username.trim();
  const exact = users.find((u) => u.username === wanted);
  if (exact) return exact;
  const folded = users.filter((u) => u.username.toLowerCase() === wanted.toLowerCase());
  if (folded.length === 1) return folded[0]!;
  const names = users.map((u) => u.username).join(', ');
  throw new CliError(
    `no user is named "${username}" on ${client.baseUrl}; there are: ${names}. See \`hoist user ls\`.`,
  );
}

/**
 * An API token by full id, unique id prefix or name, among your own tokens, or
 * everyone's with `all` (the admin scope). A full UUID is taken as is.
 */
export async function resolveToken(
  client: ApiClient,
  ref: string,
  all = false,
): Promise<ApiToken | { id: string; name?: undefined }> {
  const trimmed = ref.trim();
  const { tokens } = await client.listTokens({ all });
  const exact = tokens.find((t) => t.id.toLowerCase() === trimmed.toLowerCase());
  if (exact) return exact;
  if (isUuid(trimmed)) return { id: trimmed };
  return pick(tokens, trimmed, {
    noun: 'API token',
    searched: `${all ? 'all' : 'your'} ${plural(tokens.length, 'API token')} on ${client.baseUrl}${all ? '' : "; add --all for everyone's"}`,
    describe: (t) => `${shortId(t.id)}  ${t.name}  (${t.scopes.join(',')})`,
  });
}
