import assert from 'node:assert/strict';
import type Dockerode from 'dockerode';
import { TEST_LABELS, execInContainer, httpText, testDocker } from './test-engine.js';
import type { TestServer } from './test-server.js';

/** What the helpers below need of a server: an in-process TestServer or a ServerProcess. */
export type ApiClient = Pick<TestServer, 'api'>;

export interface ApiService {
  id: string;
  name: string;
  kind: string;
  imageRef: string;
  digest: string | null;
  containers: { id: string; name: string; running: boolean; digest: string | null }[];
}

export interface ApiAction {
  id: string;
  state: string;
  reason: string | null;
  digestBefore: string | null;
  digestAfter: string | null;
  attempts: number;
  trigger: { kind: string; webhookName?: string };
  log: { seq: number; at: string; message: string }[];
}

/** Creates and starts a container labelled as a test's, from a Docker API create body. */
export async function runTestContainer(
  body: Dockerode.ContainerCreateOptions,
): Promise<Dockerode.Container> {
  const container = await testDocker().createContainer({
    ...body,
    Labels: { ...TEST_LABELS, ...(body.Labels ?? {}) },
  });
  await container.start();
  return container;
}

/** Runs a busybox applet in a running test container; fails unless it exits 0. Returns its output. */
export async function execIn(containerName: string, cmd: string[]): Promise<string> {
  const { exitCode, output } = await execInContainer(containerName, ['/bin/busybox', ...cmd]);
  assert.equal(exitCode, 0, `${cmd.join(' ')} in ${containerName} failed: ${output}`);
  return output;
}

export async function findService(server: ApiClient, name: string): Promise<ApiService> {
  const { status, body } = await server.api<{ services: ApiService[] }>('GET', '/api/v1/services');
  assert.equal(status, 200);
  const service = body.services.find((s) => s.name === name);
  assert.ok(
    service,
    `service ${name} not listed; got ${body.services.map((s) => s.name).join(', ')}`,
  );
  return service;
}

export async function createWebhook(server: ApiClient, serviceId: string, name: string) {
  const { status, body } = await server.api<{ url: string; webhook: { id: string } }>(
    'POST',
    `/api/v1/services/${serviceId}/webhooks`,
    { name },
  );
  assert.equal(status, 201, JSON.stringify(body));
  return body;
}

export async function callHook(url: string, init: RequestInit = {}) {
  const response = await fetch(url, { method: 'POST', ...init });
  return {
    status: response.status,
    body: (await response.json()) as { action: { id: string; state: string }; coalesced: boolean },
  };
}

/** A POST to a public URL (a handler, a registry endpoint), with whatever it answered. */
export async function postHook(url: string, init: RequestInit = {}) {
  const response = await fetch(url, { method: 'POST', ...init });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (text ? JSON.parse(text) : null) as {
      error?: { code: string; message: string };
      action?: { id: string };
      ignored?: boolean;
    } | null,
  };
}

export async function getAction(server: ApiClient, id: string): Promise<ApiAction> {
  const { status, body } = await server.api<ApiAction>('GET', `/api/v1/actions/${id}`);
  assert.equal(status, 200);
  return body;
}

/** Polls until the action has ended (Success, Failed or Canceled). */
export async function waitForActionEnd(
  server: ApiClient,
  id: string,
  timeoutMs = 120_000,
): Promise<ApiAction> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const action = await getAction(server, id);
    if (['Success', 'Failed', 'Canceled'].includes(action.state)) return action;
    if (Date.now() > deadline) {
      assert.fail(
        `action ${id} still ${action.state} after ${timeoutMs} ms: ${JSON.stringify(action.log)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits until the service has no Pending or In progress action, so nothing runs past a test. */
export async function settleActions(server: ApiClient, serviceId: string): Promise<void> {
  const { body } = await server.api<{ actions?: { id: string; state: string }[] }>(
    'GET',
    `/api/v1/actions?service=${serviceId}`,
  );
  for (const action of body.actions ?? []) {
    if (action.state === 'Pending' || action.state === 'In progress') {
      await waitForActionEnd(server, action.id);
    }
  }
}

/** Names of every container on the test engine, transient ones included. */
export async function allContainerNames(): Promise<string[]> {
  const list = await testDocker().listContainers({ all: true });
  return list.map((c) => (c.Names[0] ?? '').replace(/^\//, ''));
}

export { httpText };
