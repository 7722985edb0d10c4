import type { Service } from '../api/types';

export type Tone = 'ok' | 'warn' | 'bad' | 'idle';

/** Running and desired: containers on a standalone engine, replicas (tasks) on a swarm. */
export function counts(service: Service): {
  running: number;
  desired: number | null;
  unit: string;
} {
  if (service.swarm) {
    return {
      running: service.swarm.runningTasks,
      desired: service.swarm.desiredReplicas,
      unit: 'replicas',
    };
  }
  return {
    running: service.containers.filter((c) => c.running).length,
    desired: service.containers.length,
    unit: 'containers',
  };
}

/** One word for how the service is doing, from what the engine reports now. */
export function serviceState(service: Service): { label: string; tone: Tone } {
  if (!service.present) return { label: 'Not on engine', tone: 'bad' };
  const { running, desired } = counts(service);
  if (desired === 0) return { label: 'Scaled to 0', tone: 'idle' };
  if (running === 0) return { label: 'Stopped', tone: 'bad' };
  if (desired !== null && running < desired) return { label: 'Degraded', tone: 'warn' };
  return { label: 'Running', tone: 'ok' };
}

export function countsText(service: Service): string {
  const { running, desired, unit } = counts(service);
  return desired === null ? `${running} ${unit} (global)` : `${running}/${desired} ${unit}`;
}

/** sha256:0123456789ab… : enough to tell digests apart; the full one goes in a title. */
export function shortDigest(digest: string | null): string {
  if (!digest) return '—';
  const [algo, hex] = digest.split(':');
  return hex ? `${algo}:${hex.slice(0, 12)}` : digest.slice(0, 19);
}

const KINDS: Record<string, string> = {
  compose: 'Compose service',
  hoist: 'Created by Hoist',
  container: 'Container',
  swarm: 'Swarm service',
};

export function kindLabel(kind: string): string {
  return KINDS[kind] ?? kind;
}
