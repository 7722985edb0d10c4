/**
 * A container's names on its user-defined networks, and how to take them away
 * from a running container without cutting its open connections.
 *
 * Docker's embedded DNS answers for a container's name and aliases on every
 * user-defined network until the container stops, and Docker 20.10 (API 1.41)
 * cannot edit a live endpoint's aliases. What works: disconnect the container
 * from the network and at once connect it again without its aliases. The
 * engine hands the freed address straight back (its IPAM takes the lowest free
 * address, and a static one is asked for again), and the MAC address follows
 * the IP, so TCP connections open on the old endpoint carry on while new
 * lookups of the alias only find the other containers. A plain disconnect
 * would also drop the names, but it leaves every request in flight hanging.
 *
 * The default bridge, host and none networks have no name resolution and are
 * left alone.
 */
import type Dockerode from 'dockerode';
import type { NetworkMembership } from '../../domain/ports/engine.js';
import type { RawContainer, RawEndpoint } from './docker-api-types.js';

/** DockerEngine's call(): one daemon call, its failures translated into Hoist's errors. */
export type EngineCall = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

const WITHOUT_NAME_RESOLUTION = new Set(['bridge', 'host', 'none']);

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

export class NetworkAliases {
  constructor(
    private readonly docker: Dockerode,
    private readonly call: EngineCall,
  ) {}

  /** Reconnects the container to each network with its links and static address but no alias. */
  async withdraw(id: string, memberships: NetworkMembership[]): Promise<void> {
    for (const m of memberships) {
      await this.reconnect(id, m, { ...endpointConfig(m), Aliases: [] });
    }
  }

  /**
   * Puts the aliases back where they are missing (a container already back on
   * a network with all of them is not touched, so this can be repeated).
   * Works on a stopped container too: Docker keeps the endpoint config for its next start.
   */
  async restore(id: string, memberships: NetworkMembership[], raw: RawContainer): Promise<void> {
    const current = raw.NetworkSettings?.Networks ?? {};
    for (const m of memberships) {
      const endpoint = current[m.network];
      const has = new Set(endpoint?.Aliases ?? []);
      if (endpoint && m.aliases.every((a) => has.has(a))) continue;
      await this.reconnect(id, m, endpointConfig(m), endpoint !== undefined);
    }
  }

  private async reconnect(
    id: string,
    m: NetworkMembership,
    config: Record<string, unknown>,
    connected = true,
  ): Promise<void> {
    const network = this.docker.getNetwork(m.network);
    if (connected) {
      await this.call(`disconnect container ${id} from network ${m.network}`, () =>
        network.disconnect({ Container: id, Force: false }),
      );
    }
    await this.call(`connect container ${id} to network ${m.network}`, () =>
      network.connect({ Container: id, EndpointConfig: config }),
    );
  }
}

function endpointConfig(m: NetworkMembership): Record<string, unknown> {
  const config: Record<string, unknown> = {};
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
