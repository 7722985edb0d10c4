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
  DriverOpts?: Record<string, string> | null;
}

export interface RawHostConfig {
  Binds?: string[] | null;
  Mounts?: { Target?: string }[] | null;
  NetworkMode?: string;
  PortBindings?: Record<string, unknown> | null;
  Links?: string[] | null;
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
  [key: string]: unknown;
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
  NetworkSettings?: { Networks?: Record<string, RawEndpoint> | null };
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
