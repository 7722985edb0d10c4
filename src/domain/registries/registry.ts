/**
 * A registry endpoint: a secret URL a registry's notifications point at. Each
 * manifest push it reports redeploys every service with autoredeploy on
 * that runs the pushed repo:tag (Tutum's autoredeploy).
 */
export interface Registry {
  id: string;
  name: string;
  tokenPrefix: string;
  createdAt: string;
  revokedAt: string | null;
}

/** One call of a registry endpoint and what came of it. */
export interface RegistryCall {
  id: string;
  registryId: string;
  receivedAt: string;
  remoteAddress: string | null;
  deliveryKey: string | null;
  /** "host/path:tag" of each counted push. */
  pushed: string[];
  outcome: 'accepted' | 'ignored' | 'duplicate';
  reason: string | null;
  actionIds: string[];
}
