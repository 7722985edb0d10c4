import type { ContainerInfo, ServiceKind, SwarmDetails } from '../ports/engine.js';

/** What Hoist remembers of a service: the stable UUID for an engine's grouping of containers. */
export interface ServiceRecord {
  id: string;
  engineId: string;
  kind: ServiceKind;
  key: string;
  name: string;
  createdAt: string;
  /**
   * When a listing or look-up last found the service new or changed (name, image or digest),
   * or Hoist created it. Not a write time: redeploys (updateServiceImage) and autoredeploy
   * switches change the row without touching it.
   */
  lastSeenAt: string;
  /** What the engine showed last time Hoist looked: calls are matched against it without asking Docker. */
  imageRef: string | null;
  digest: string | null;
  /** Redeploy when a registry endpoint reports a push of its repo:tag. */
  autoredeploy: boolean;
  /** Hoist's own service: handlers, registry pushes and the API may redeploy, scale or remove it. */
  allowSelfRedeploy: boolean;
}

/** A service as the API shows it: the record joined with what the engine reports now. */
export interface Service {
  id: string;
  engineId: string;
  kind: ServiceKind;
  name: string;
  imageRef: string;
  digest: string | null;
  /** false when the engine no longer has (or cannot show) it. */
  present: boolean;
  autoredeploy: boolean;
  /** Hoist itself runs in it (its container or Swarm service). */
  self: boolean;
  allowSelfRedeploy: boolean;
  /** Created by Hoist (label io.hoist.service): only such services can be deleted through Hoist. */
  createdByHoist: boolean;
  /** Standalone kinds; empty for a Swarm service. */
  containers: ContainerInfo[];
  /** Swarm services: replicas and tasks. */
  swarm: SwarmDetails | null;
}
