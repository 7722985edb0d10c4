import Dockerode from 'dockerode';
import { HoistError } from '../../domain/errors.js';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/** Builds a dockerode client for a DOCKER_HOST-style address, ignoring the process's own DOCKER_* variables. */
export function createDockerClient(
  dockerHost: string = DEFAULT_DOCKER_HOST,
  options: { requestTimeoutMs?: number } = {},
): Dockerode {
  // No docker-modem connectionTimeout: it runs until the response headers arrive, so it
  // would cut off a stop that waits for the container's stop timeout.
  const common = { timeout: options.requestTimeoutMs ?? 300_000 };
  if (dockerHost === process.env.DOCKER_HOST && !dockerHost.startsWith('unix://')) {
    // Let docker-modem read DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH and ssh:// itself.
    return new Dockerode(common);
  }
  if (dockerHost.startsWith('unix://')) {
    const socketPath = dockerHost.slice('unix://'.length) || '/var/run/docker.sock';
    // host/port/protocol set explicitly: docker-modem would otherwise take them from DOCKER_HOST.
    return new Dockerode({
      ...common,
      socketPath,
      host: undefined,
      port: undefined,
      protocol: 'http',
    });
  }
  if (dockerHost.startsWith('/')) {
    return new Dockerode({
      ...common,
      socketPath: dockerHost,
      host: undefined,
      port: undefined,
      protocol: 'http',
    });
  }
  let url: URL;
  try {
    url = new URL(dockerHost.includes('://') ? dockerHost : `tcp://${dockerHost}`);
  } catch {
    throw new HoistError(
      'bad_request',
      `Docker host "${dockerHost}" is not valid: use unix:///var/run/docker.sock or tcp://host:2375.`,
    );
  }
  const https = url.protocol === 'https:' || url.port === '2376';
  if (!['tcp:', 'http:', 'https:'].includes(url.protocol)) {
    throw new HoistError(
      'bad_request',
      `Docker host "${dockerHost}" is not supported: use unix://, tcp://, http:// or https://.`,
    );
  }
  return new Dockerode({
    ...common,
    host: url.hostname,
    port: url.port || (https ? '2376' : '2375'),
    protocol: https ? 'https' : 'http',
    socketPath: undefined,
  });
}
