/** Swarm services and tasks, from the Engine API's answers to the domain's words. */
import type {
  DiscoveredService,
  SwarmServiceState,
  SwarmUpdateState,
  TaskInfo,
} from '../../domain/ports/engine.js';
import { HoistError } from '../../domain/errors.js';
import type {
  RawContainerSummary,
  RawInfo,
  RawNode,
  RawService,
  RawServiceSpec,
  RawTask,
} from './docker-api-types.js';

/** The labels Swarm puts on every task container. */
export const SWARM_SERVICE_ID_LABEL = 'com.docker.swarm.service.id';
export const SWARM_SERVICE_NAME_LABEL = 'com.docker.swarm.service.name';

/** Whether the engine is a member of a swarm (a manager or a worker). */
export function swarmActive(info: RawInfo): boolean {
  return info.Swarm?.LocalNodeState === 'active';
}

/** The container of a Swarm task: Swarm's to manage, never a standalone service. */
export function isSwarmTask(summary: RawContainerSummary): boolean {
  return Boolean(summary.Labels?.[SWARM_SERVICE_ID_LABEL]);
}

/** Desired states of tasks that are gone or going (the history `docker service ps` shows). */
const ENDED_DESIRED_STATES = new Set(['shutdown', 'remove']);

const UPDATE_STATES = new Set<SwarmUpdateState>([
  'updating',
  'paused',
  'completed',
  'rollback_started',
  'rollback_paused',
  'rollback_completed',
]);

const ZERO_TIME = /^0001-01-01T/;

function time(value: string | undefined): string | null {
  return value && !ZERO_TIME.test(value) ? value : null;
}

export function nodeNames(nodes: readonly RawNode[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const node of nodes) {
    const hostname = node.Description?.Hostname;
    if (hostname) names.set(node.ID, hostname);
  }
  return names;
}

export function toTaskInfo(task: RawTask, nodes: ReadonlyMap<string, string>): TaskInfo {
  const nodeId = task.NodeID ?? '';
  return {
    id: task.ID,
    slot: typeof task.Slot === 'number' && task.Slot > 0 ? task.Slot : null,
    nodeId,
    node: nodes.get(nodeId) ?? null,
    state: task.Status?.State ?? 'unknown',
    desiredState: task.DesiredState ?? 'unknown',
    error: task.Status?.Err || null,
    message: task.Status?.Message || null,
    imageRef: task.Spec?.ContainerSpec?.Image ?? '',
    containerId: task.Status?.ContainerStatus?.ContainerID || null,
    updatedAt: task.UpdatedAt ?? task.Status?.Timestamp ?? task.CreatedAt ?? '',
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Newest first: by creation (a replacement task is newer than the one it replaced), then by last change. */
export function newestFirst(a: RawTask, b: RawTask): number {
  return (
    compare(b.CreatedAt ?? '', a.CreatedAt ?? '') ||
    compare(b.UpdatedAt ?? '', a.UpdatedAt ?? '') ||
    compare(a.ID, b.ID)
  );
}

/** Slot order (global services' tasks, which have none, by node), newest first within a slot. */
function bySlot(a: RawTask, b: RawTask): number {
  const slotA = a.Slot && a.Slot > 0 ? a.Slot : Number.MAX_SAFE_INTEGER;
  const slotB = b.Slot && b.Slot > 0 ? b.Slot : Number.MAX_SAFE_INTEGER;
  return slotA - slotB || compare(a.NodeID ?? '', b.NodeID ?? '') || newestFirst(a, b);
}

/** A replicated service's replica count (1 when the spec leaves it out); null for other modes. */
export function desiredReplicas(spec: RawServiceSpec): number | null {
  const replicas = spec.Mode?.Replicated?.Replicas;
  if (spec.Mode?.Replicated) return typeof replicas === 'number' ? replicas : 1;
  return null;
}

/** A Swarm service as a discovered service, with the tasks that run or are meant to run. */
export function toDiscoveredSwarmService(
  service: RawService,
  tasks: readonly RawTask[],
  nodes: ReadonlyMap<string, string>,
): DiscoveredService {
  const live = tasks
    .filter((t) => !ENDED_DESIRED_STATES.has(t.DesiredState ?? ''))
    .sort(bySlot)
    .map((t) => toTaskInfo(t, nodes));
  return {
    kind: 'swarm',
    key: service.ID,
    name: service.Spec.Name ?? service.ID,
    imageRef: service.Spec.TaskTemplate?.ContainerSpec?.Image ?? '',
    containers: [],
    labels: { ...(service.Spec.Labels ?? {}) },
    swarm: {
      desiredReplicas: desiredReplicas(service.Spec),
      runningTasks: live.filter((t) => t.state === 'running').length,
      tasks: live,
    },
  };
}

export function toSwarmServiceState(service: RawService): SwarmServiceState {
  const status = service.UpdateStatus;
  const state = status?.State as SwarmUpdateState | undefined;
  return {
    id: service.ID,
    name: service.Spec.Name ?? service.ID,
    version: service.Version?.Index ?? 0,
    imageRef: service.Spec.TaskTemplate?.ContainerSpec?.Image ?? '',
    forceUpdate: service.Spec.TaskTemplate?.ForceUpdate ?? 0,
    replicas: desiredReplicas(service.Spec),
    update: status
      ? {
          state: state && UPDATE_STATES.has(state) ? state : null,
          message: status.Message || null,
          startedAt: time(status.StartedAt),
          completedAt: time(status.CompletedAt),
        }
      : null,
    labels: { ...(service.Spec.Labels ?? {}) },
  };
}

/** A copy of the spec, exactly as it is, with the image pinned and ForceUpdate bumped. */
export function specWithImage(service: RawService, imageRef: string): RawServiceSpec {
  const spec = structuredClone(service.Spec);
  const template = spec.TaskTemplate;
  if (!template?.ContainerSpec) {
    throw new HoistError(
      'bad_request',
      `Swarm service ${spec.Name ?? service.ID} runs no container (it is a plugin or network attachment service): Hoist cannot set its image.`,
    );
  }
  template.ContainerSpec.Image = imageRef;
  template.ForceUpdate = (template.ForceUpdate ?? 0) + 1;
  return spec;
}

/** A copy of the spec, exactly as it is, with another replica count. */
export function specWithReplicas(service: RawService, replicas: number): RawServiceSpec {
  const name = service.Spec.Name ?? service.ID;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new HoistError(
      'bad_request',
      `A replica count is a whole number of 0 or more; got ${replicas} for Swarm service ${name}.`,
    );
  }
  const spec = structuredClone(service.Spec);
  const mode = spec.Mode ?? {};
  if (mode.Global || mode.GlobalJob) {
    throw new HoistError(
      'bad_request',
      `Swarm service ${name} is global (one task on every node): it has no replica count to scale. Scale it by adding nodes, or recreate it in replicated mode.`,
    );
  }
  if (mode.ReplicatedJob) {
    throw new HoistError(
      'bad_request',
      `Swarm service ${name} is a replicated job (it runs to completion): it has no replica count to scale.`,
    );
  }
  spec.Mode = { ...mode, Replicated: { ...mode.Replicated, Replicas: replicas } };
  return spec;
}
