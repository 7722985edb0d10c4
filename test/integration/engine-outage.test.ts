/**
 * The Docker daemon stopped while calls arrive: a private dockerd of this test's
 * own (not the shared test engine) is stopped with SIGTERM; calls to a handler
 * still get 202, the action's log says it waits for the engine, and once the
 * daemon is started again on the same data root the action ends Success.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Dockerode from 'dockerode';
import { TEST_LABELS, buildAndPushTestImage, waitFor } from '../support/test-engine.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createWebhook, findService, getAction, waitForActionEnd } from '../support/scenario.js';

let root: string;
let daemon: ChildProcess | undefined;
let server: TestServer | undefined;
const socket = () => path.join(root, 'docker.sock');

function ping(): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket(), path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function startDaemon() {
  const child = spawn(
    'dockerd',
    [
      '--config-file',
      path.join(root, 'daemon.json'),
      '--data-root',
      path.join(root, 'data'),
      '--exec-root',
      path.join(root, 'exec'),
      '--pidfile',
      path.join(root, 'docker.pid'),
      '-H',
      `unix://${socket()}`,
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--storage-driver=vfs',
    ],
    { stdio: 'ignore' },
  );
  daemon = child;
  const outcome = await waitFor(
    'dockerd to answer /_ping',
    async () => ((await ping()) ? 'up' : child.exitCode !== null ? 'exited' : undefined),
    60_000,
  );
  assert.equal(outcome, 'up', 'dockerd exited before it answered /_ping');
}

async function stopDaemon() {
  const running = daemon;
  daemon = undefined;
  if (!running || running.exitCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  running.kill('SIGTERM');
  const timer = setTimeout(() => running.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'hoist-outage-'));
  await mkdir(path.join(root, 'data'));
  await mkdir(path.join(root, 'exec'));
  await writeFile(path.join(root, 'daemon.json'), '{}');
  await startDaemon();
});

after(async () => {
  await server?.close();
  await stopDaemon();
  await rm(root, { recursive: true, force: true });
});

test('calls get 202 while the daemon is down; the action waits, says why, and succeeds once it is back', async () => {
  const repo = 'hoist-test/outage';
  const v1 = await buildAndPushTestImage({ repo, tag: 'latest', version: 'outage v1' });
  const docker = new Dockerode({ socketPath: socket() });
  const pull = await docker.pull(v1.ref);
  await new Promise((resolve, reject) =>
    docker.modem.followProgress(pull, (error) => (error ? reject(error) : resolve(null))),
  );
  const container = await docker.createContainer({
    name: 'hoist-test-outage',
    Image: v1.ref,
    StopTimeout: 1,
    Labels: { ...TEST_LABELS },
  });
  await container.start();

  server = await startTestServer({ DOCKER_HOST: `unix://${socket()}` });
  const service = await findService(server, 'hoist-test-outage');
  const handler = await createWebhook(server, service.id, 'outage');
  const v2 = await buildAndPushTestImage({ repo, tag: 'latest', version: 'outage v2' });

  await stopDaemon();
  const answers = [];
  for (let i = 0; i < 5; i++) {
    const response = await fetch(handler.url, { method: 'POST' });
    answers.push({
      status: response.status,
      body: (await response.json()) as { action: { id: string } },
    });
  }
  for (const answer of answers) assert.equal(answer.status, 202, JSON.stringify(answer.body));
  const actionId = answers[0]!.body.action.id;

  const waiting = await waitFor(
    'the action log to say it waits for the engine',
    async () => {
      const action = await getAction(server!, actionId);
      return action.log.some((entry) => /Waiting for the engine/.test(entry.message))
        ? action
        : undefined;
    },
    20_000,
  );
  assert.ok(['Pending', 'In progress'].includes(waiting.state), waiting.state);

  await startDaemon();
  const ended = await waitForActionEnd(server, actionId, 60_000);
  assert.equal(ended.state, 'Success', JSON.stringify(ended.log));
  assert.equal(ended.digestAfter, v2.digest);
  for (const answer of answers.slice(1)) {
    const other = await waitForActionEnd(server, answer.body.action.id, 60_000);
    assert.equal(other.state, 'Success', JSON.stringify(other.log));
  }

  await stopContainers(docker);
});

async function stopContainers(docker: Dockerode) {
  for (const info of await docker.listContainers({ all: true })) {
    await docker.getContainer(info.Id).remove({ force: true });
  }
}
