/** The parts of the Docker Engine API's answers Hoist reads (@types/dockerode lacks some). */

export type Labels = Record<string, string>;

export interface RawHealthcheck {
  Test?: string[] | null;
  [key: string]: unknown;
}

export interface RawContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: RawHealthcheck | null;
  Image?: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  NetworkDisabled?: boolean;
  MacAddress?: string;
  OnBuild?: string[] | null;
  Labels?: Labels | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[] | null;
}

export interface RawMount {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  RW: boolean;
}

export interface RawEndpoint {
  IPAMConfig?: Record<string, unknown> | null;
  Links?: string[] | null;
  Aliases?: string[] | null;
  NetworkID?: string;
  IPAddress?: string;
  DriverOpts?: Record<string, string> | null;
}

export interface RawHostConfig {
  Binds?: string[] | null;
  Mounts?: { Target?: string }[] | null;
  NetworkMode?: string;
  PortBindings?: Record<string, RawPortBinding[] | null> | null;
  Links?: string[] | null;
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
  [key: string]: unknown;
}

export interface RawPortBinding {
  HostIp?: string;
  HostPort?: string;
}

export interface RawContainer {
  Id: string;
  Name: string;
  Created: string;
  Image: string;
  State: {
    Status: string;
    Running: boolean;
    ExitCode: number;
    StartedAt: string;
    Health?: { Status?: string } | null;
  };
  Config: RawContainerConfig;
  HostConfig: RawHostConfig;
  Mounts?: RawMount[] | null;
  NetworkSettings?: {
    Networks?: Record<string, RawEndpoint> | null;
    Ports?: Record<string, RawPortBinding[] | null> | null;
  };
}

export interface RawImage {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Config?: RawContainerConfig | null;
}

export interface RawImageSummary {
  Id: string;
  RepoDigests?: string[] | null;
}

export interface RawContainerSummary {
  Id: string;
  Names?: string[] | null;
  Labels?: Labels | null;
}

export interface RawInfo {
  Name?: string;
  ServerVersion?: string;
  Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string };
}

// ---------------------------------------------------------------------------
// Swarm.

/** A service's spec: read, changed in a few places, and sent back as it is otherwise. */
export interface RawServiceSpec {
  Name?: string;
  Labels?: Labels | null;
  TaskTemplate?: {
    ContainerSpec?: { Image?: string; [key: string]: unknown };
    ForceUpdate?: number;
    [key: string]: unknown;
  };
  Mode?: {
    Replicated?: { Replicas?: number };
    Global?: object;
    ReplicatedJob?: object;
    GlobalJob?: object;
  };
  UpdateConfig?: Record<string, unknown>;
  RollbackConfig?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface RawService {
  ID: string;
  Version?: { Index?: number };
  CreatedAt?: string;
  UpdatedAt?: string;
  Spec: RawServiceSpec;
  UpdateStatus?: {
    State?: string;
    StartedAt?: string;
    CompletedAt?: string;
    Message?: string;
  } | null;
}

export interface RawTask {
  ID: string;
  ServiceID?: string;
  NodeID?: string;
  Slot?: number;
  CreatedAt?: string;
  UpdatedAt?: string;
  DesiredState?: string;
  Spec?: { ContainerSpec?: { Image?: string } };
  Status?: {
    Timestamp?: string;
    State?: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string };
  };
}

export interface RawNode {
  ID: string;
  Description?: { Hostname?: string };
}
