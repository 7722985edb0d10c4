/**
 * A container's names on its user-defined networks, and how to take them away
 * from a running container without cutting its open connections.
 *
 * Docker's embedded DNS answers for a container's name and aliases on every
 * user-defined network until the container stops, and Docker 20.10 (API 1.41)
 * cannot edit a live endpoint's aliases. What works: disconnect the container
 * from the network and at once connect it again without its aliases, on the
 * same address. The MAC address follows the IP, so TCP connections open on
 * the old endpoint carry on while new lookups of the alias only find the other
 * containers. A plain disconnect would also drop the names, but it leaves
 * every request in flight hanging.
 *
 * The same address: asked for again where the network has a subnet the user
 * configured (Docker refuses a chosen address anywhere else). On a network
 * whose subnet the engine picked, the engine's IPAM hands out the lowest free
 * address, which is the one just freed unless a lower one was free already:
 * then connections open at that moment are lost, as with a stop.
 *
 * The default bridge, host and none networks have no name resolution and are
 * left alone.
 */
import type { NetworkMembership } from '../../domain/ports/engine.js';
import type { RawContainer, RawEndpoint } from './docker-api-types.js';
import type { DockerApi } from './docker-api.js';

const WITHOUT_NAME_RESOLUTION = new Set(['bridge', 'host', 'none']);

/** The container's memberships of user-defined networks, sorted by network name; none when it is gone. */
export async function networkMemberships(api: DockerApi, id: string): Promise<NetworkMembership[]> {
  const raw = await api.inspectRaw(id);
  return raw ? networkMembershipsOf(raw) : [];
}

/** The memberships of an inspected container, sorted by network name. */
export function networkMembershipsOf(raw: RawContainer): NetworkMembership[] {
  const shortId = raw.Id.slice(0, 12);
  const networks = raw.NetworkSettings?.Networks ?? {};
  return Object.entries(networks)
    .filter(([name]) => !WITHOUT_NAME_RESOLUTION.has(name))
    .map(([network, endpoint]) => ({
      network,
      // Docker adds the short id itself on every connect.
      aliases: (endpoint.Aliases ?? []).filter((a) => a !== shortId),
      ipv4Address: staticAddress(endpoint, 'IPv4Address'),
      ipv6Address: staticAddress(endpoint, 'IPv6Address'),
      links: [...(endpoint.Links ?? [])],
    }))
    .sort((a, b) => (a.network < b.network ? -1 : a.network > b.network ? 1 : 0));
}

/** Reconnects the container to each network with its links and address but no alias. */
export async function withdrawAliases(
  api: DockerApi,
  id: string,
  memberships: NetworkMembership[],
): Promise<void> {
  const raw = await api.inspectRaw(id);
  if (!raw) return;
  const current = raw.NetworkSettings?.Networks ?? {};
  for (const m of memberships) {
    const plain = { ...endpointConfig(m), Aliases: [] };
    const address = current[m.network]?.IPAddress;
    const pinned =
      !m.ipv4Address && address
        ? [{ ...plain, IPAMConfig: { ...(plain.IPAMConfig ?? {}), IPv4Address: address } }]
        : [];
    await reconnect(api, id, m, [...pinned, plain], current[m.network] !== undefined);
  }
}

/**
 * Puts the aliases back where they are missing (a container already back on
 * a network with all of them is not touched, so this can be repeated).
 * Works on a stopped container too: Docker keeps the endpoint config for its next start.
 */
export async function restoreAliases(
  api: DockerApi,
  id: string,
  memberships: NetworkMembership[],
): Promise<void> {
  const raw = await api.inspectRaw(id);
  if (!raw) return;
  const current = raw.NetworkSettings?.Networks ?? {};
  for (const m of memberships) {
    const endpoint = current[m.network];
    const has = new Set(endpoint?.Aliases ?? []);
    if (endpoint && m.aliases.every((a) => has.has(a))) continue;
    await reconnect(api, id, m, [endpointConfig(m)], endpoint !== undefined);
  }
}

/** Disconnects (when connected), then connects with the first endpoint config the engine accepts. */
async function reconnect(
  api: DockerApi,
  id: string,
  m: NetworkMembership,
  configs: EndpointConfig[],
  connected: boolean,
): Promise<void> {
  const network = api.docker.getNetwork(m.network);
  if (connected) {
    await api.call(`disconnect container ${id} from network ${m.network}`, () =>
      network.disconnect({ Container: id, Force: false }),
    );
  }
  for (const [i, config] of configs.entries()) {
    try {
      await api.call(`connect container ${id} to network ${m.network}`, () =>
        network.connect({ Container: id, EndpointConfig: config }),
      );
      return;
    } catch (error) {
      // "user specified IP address is supported only when connecting to networks with user configured subnets"
      const refusedAddress = /user configured subnets/i.test(String(error));
      if (!refusedAddress || i === configs.length - 1) throw error;
    }
  }
}

interface EndpointConfig {
  IPAMConfig?: Record<string, string>;
  Links?: string[];
  Aliases?: string[];
}

function endpointConfig(m: NetworkMembership): EndpointConfig {
  const config: EndpointConfig = {};
  const ipam: Record<string, string> = {};
  if (m.ipv4Address) ipam.IPv4Address = m.ipv4Address;
  if (m.ipv6Address) ipam.IPv6Address = m.ipv6Address;
  if (Object.keys(ipam).length > 0) config.IPAMConfig = ipam;
  if (m.links.length > 0) config.Links = m.links;
  if (m.aliases.length > 0) config.Aliases = m.aliases;
  return config;
}

function staticAddress(endpoint: RawEndpoint, key: 'IPv4Address' | 'IPv6Address'): string | null {
  const value = endpoint.IPAMConfig?.[key];
  return typeof value === 'string' && value !== '' ? value : null;
}
