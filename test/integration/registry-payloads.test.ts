/**
 * Registry payloads end to end: a real Hoist server, the private test engine,
 * and a docker-registry of the test's own whose notifications point at a
 * Hoist registry endpoint. One `docker push` redeploys exactly the service
 * running the pushed repo:tag; handlers ignore payloads about other images,
 * redeploy once per delivery, refuse unsigned calls when signed, pass the body
 * to the new container, and call Docker Hub's callback_url back when their
 * action ends (to a loopback receiver put on the allow-list for the test).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  cleanupTestContainers,
  testDocker,
  waitFor,
  type PushedTestImage,
} from '../support/test-engine.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  findService,
  runTestContainer,
  waitForActionEnd,
  type ApiAction,
  type ApiService,
} from '../support/scenario.js';
import {
  buildAndPushTo,
  startOwnRegistry,
  tagAndPush,
  tagImage,
  type OwnRegistry,
} from '../support/own-registry.js';
import { startCallbackReceiver, type CallbackReceiver } from '../support/callback-receiver.js';
import {
  REGISTRY_EVENTS_TYPE,
  dockerHubExamplePayload,
  dockerHubPayload,
  envelope,
  pushEvents,
  standardWebhooksHeaders,
} from '../support/registry-payloads.js';

interface ApiDelivery {
  id: string;
  receivedAt: string;
  remoteAddress: string | null;
  userAgent: string | null;
  payloadKind: string;
  pushed: string | null;
  digest: string | null;
  outcome: string;
  reason: string | null;
  actionId: string | null;
  callbackResult: string | null;
}

interface ApiRegistryCall {
  id: string;
  pushed: string[];
  outcome: string;
  reason: string | null;
  actionIds: string[];
}

interface CreatedHandler {
  url: string;
  webhook: { id: string; signed: boolean; passBody: boolean };
  signingSecret?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('registry payloads, autoredeploy and callbacks, with a real registry', () => {
  let server: TestServer;
  let registry: OwnRegistry;
  let receiver: CallbackReceiver;
  let registryId: string;
  let registryUrl: string;
  /** Pushed to our registry: app:latest (v1, then v2 by the push under test), app:dev, other:latest. */
  let v1: PushedTestImage;
  let v2: PushedTestImage;
  let dev: PushedTestImage;
  let other: PushedTestImage;
  let v3: PushedTestImage;
  const services = {} as Record<'latest' | 'dev' | 'other', ApiService>;

  const actionsOf = async (serviceId: string): Promise<ApiAction[]> => {
    const { status, body } = await server.api<{ actions: ApiAction[] }>(
      'GET',
      `/api/v1/actions?service=${serviceId}`,
    );
    assert.equal(status, 200);
    return body.actions;
  };
  const registryCalls = async (): Promise<ApiRegistryCall[]> => {
    const { status, body } = await server.api<{ calls: ApiRegistryCall[] }>(
      'GET',
      `/api/v1/registries/${registryId}/calls?limit=1000`,
    );
    assert.equal(status, 200, JSON.stringify(body));
    return body.calls;
  };
  const deliveries = async (serviceId: string, webhookId: string): Promise<ApiDelivery[]> => {
    const { status, body } = await server.api<{ deliveries: ApiDelivery[] }>(
      'GET',
      `/api/v1/services/${serviceId}/webhooks/${webhookId}/deliveries`,
    );
    assert.equal(status, 200, JSON.stringify(body));
    return body.deliveries;
  };
  const createHandler = async (
    serviceId: string,
    body: { name: string; signed?: boolean; passBody?: boolean },
  ): Promise<CreatedHandler> => {
    const created = await server.api<CreatedHandler>(
      'POST',
      `/api/v1/services/${serviceId}/webhooks`,
      body,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body;
  };
  const post = async (
    url: string,
    body: unknown,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const setAutoredeploy = async (serviceId: string, on: boolean) => {
    const patched = await server.api<ApiService & { autoredeploy: boolean }>(
      'PATCH',
      `/api/v1/services/${serviceId}`,
      { autoredeploy: on },
    );
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.autoredeploy, on);
  };
  /** Polls until fn returns something other than undefined (not yet), for up to 60 s. */
  const until = <T>(what: string, fn: () => Promise<T | undefined>) =>
    waitFor(what, fn, 60_000, 200);

  before(async () => {
    await cleanupTestContainers();
    receiver = await startCallbackReceiver();
    server = await startTestServer({
      HOIST_CALLBACK_ALLOWED_HOSTS: `registry.hub.docker.com,${receiver.host}`,
      HOIST_CALLBACK_ALLOW_HTTP: 'true',
      HOIST_CALLBACK_ALLOW_PRIVATE: 'true',
    });
    const created = await server.api<{ registry: { id: string }; url: string }>(
      'POST',
      '/api/v1/registries',
      { name: 'test registry' },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    registryId = created.body.registry.id;
    registryUrl = created.body.url;
    assert.match(registryUrl, new RegExp(`^${server.url}/registry-events/[A-Za-z0-9_-]{43,}$`));
    registry = await startOwnRegistry(registryUrl);

    v1 = await buildAndPushTo(registry.host, {
      repo: 'app',
      tag: 'latest',
      version: 'app v1',
    });
    dev = await buildAndPushTo(registry.host, {
      repo: 'app',
      tag: 'dev',
      version: 'dev v1',
    });
    other = await buildAndPushTo(registry.host, {
      repo: 'other',
      tag: 'latest',
      version: 'other v1',
    });
    const run = async (name: string, image: string) =>
      // busybox httpd as PID 1 ignores SIGTERM: a 1 s stop timeout keeps redeploys short.
      runTestContainer({ name, Image: image, StopTimeout: 1 });
    await run('hoisttest-reg-latest', v1.ref);
    await run('hoisttest-reg-dev', dev.ref);
    await run('hoisttest-reg-other', other.ref);
    services.latest = await findService(server, 'hoisttest-reg-latest');
    services.dev = await findService(server, 'hoisttest-reg-dev');
    services.other = await findService(server, 'hoisttest-reg-other');
    assert.equal(services.latest.imageRef, `${registry.host}/app:latest`);
    assert.equal(services.latest.digest, v1.digest);
    // The registry reported each setup push; with autoredeploy still off, none redeployed.
    const setupPushes = [
      `${registry.host}/app:latest`,
      `${registry.host}/app:dev`,
      `${registry.host}/other:latest`,
    ];
    const reported = await until('the setup pushes to be reported', async () => {
      const calls = await registryCalls();
      const pushes = calls.flatMap((c) => c.pushed);
      return setupPushes.every((p) => pushes.includes(p)) ? calls : undefined;
    });
    assert.deepEqual(
      reported.filter((c) => c.outcome !== 'ignored'),
      [],
    );
    for (const service of Object.values(services)) await setAutoredeploy(service.id, true);
  });

  after(async () => {
    await registry?.stop();
    await server?.close();
    await receiver?.close();
    await cleanupTestContainers();
  });

  test('one docker push of app:latest redeploys only the service running app:latest, once', async () => {
    const callsBefore = (await registryCalls()).length;
    v2 = await tagAndPush(
      (await buildAndPushTo(registry.host, { repo: 'staging', tag: 'v2', version: 'app v2' })).ref,
      `${registry.host}/app`,
      'latest',
    );
    assert.notEqual(v2.digest, v1.digest);

    const [action] = await until('the autoredeploy', async () => {
      const found = await actionsOf(services.latest.id);
      return found.length > 0 ? found : undefined;
    });
    assert.ok(action);
    const ended = await waitForActionEnd(server, action.id);
    assert.equal(ended.state, 'Success', JSON.stringify(ended.log));
    assert.equal(ended.trigger.kind, 'registry');
    assert.equal(ended.digestBefore, v1.digest);
    assert.equal(ended.digestAfter, v2.digest);
    const container = await testDocker().getContainer('hoisttest-reg-latest').inspect();
    assert.equal(container.State.Running, true);
    assert.equal(container.Image, v2.imageId);

    // The registry goes on reporting (the redeploy's own pull among them): nothing more happens.
    await sleep(4000);
    assert.deepEqual(
      (await actionsOf(services.latest.id)).map((a) => a.id),
      [action.id],
      'exactly one redeploy',
    );
    assert.deepEqual(await actionsOf(services.dev.id), []);
    assert.deepEqual(await actionsOf(services.other.id), []);

    const callsAfter = await registryCalls();
    // Newest first: the calls made since callsBefore are the first ones.
    const calls = callsAfter.slice(0, callsAfter.length - callsBefore);
    const accepted = calls.filter((c) => c.outcome === 'accepted');
    assert.equal(accepted.length, 1, JSON.stringify(calls, null, 1));
    assert.deepEqual(accepted[0]?.pushed, [`${registry.host}/app:latest`]);
    assert.deepEqual(accepted[0]?.actionIds, [action.id]);
    const ignored = calls.filter((c) => c.outcome === 'ignored');
    assert.ok(
      ignored.some((c) => /^no tag was pushed/.test(c.reason ?? '')),
      'blob and pull events are reported and ignored',
    );
    // The staging push (no service runs it) was reported and ignored too.
    assert.ok(
      calls.some(
        (c) =>
          c.outcome === 'ignored' &&
          c.pushed.includes(`${registry.host}/staging:v2`) &&
          /no service with autoredeploy on runs/.test(c.reason ?? ''),
      ),
      JSON.stringify(calls, null, 1),
    );
  });

  test("a handler ignores Docker Hub's example payload and a push of the digest it runs, recording both", async () => {
    const hook = await createHandler(services.latest.id, { name: 'registry' });

    const hub = await post(hook.url, dockerHubExamplePayload());
    assert.equal(hub.status, 200, JSON.stringify(hub.body));
    assert.equal(hub.body.ignored, true);
    assert.equal(
      hub.body.reason,
      `pushed docker.io/svendowideit/testhook:latest; this service runs ${registry.host}/app:latest`,
    );

    const running = envelope(
      pushEvents({
        host: registry.host,
        repository: 'app',
        tag: 'latest',
        digest: v2.digest,
      }),
    );
    const same = await post(hook.url, running, { 'content-type': REGISTRY_EVENTS_TYPE });
    assert.equal(same.status, 200, JSON.stringify(same.body));
    assert.deepEqual(same.body, { ignored: true, reason: `already running ${v2.digest}` });

    const recorded = await deliveries(services.latest.id, hook.webhook.id);
    assert.equal(recorded.length, 2);
    const first = recorded.find((d) => d.payloadKind === 'dockerhub');
    const second = recorded.find((d) => d.payloadKind === 'registry');
    assert.equal(first?.outcome, 'ignored');
    assert.equal(first?.payloadKind, 'dockerhub');
    assert.equal(first?.pushed, 'docker.io/svendowideit/testhook:latest');
    assert.equal(first?.reason, hub.body.reason);
    assert.equal(first?.remoteAddress, '127.0.0.1');
    assert.equal(first?.actionId, null);
    assert.equal(second?.outcome, 'ignored');
    assert.equal(second?.payloadKind, 'registry');
    assert.equal(second?.digest, v2.digest);
    assert.equal(second?.pushed, `${registry.host}/app:latest`);
    assert.deepEqual(
      (await actionsOf(services.latest.id)).length,
      1,
      'nothing was queued by either call',
    );
  });

  test('the same registry envelope sent twice to a handler redeploys once', async () => {
    // Autoredeploy off: only the handler reacts to this push.
    await setAutoredeploy(services.latest.id, false);
    v3 = await tagAndPush(
      (await buildAndPushTo(registry.host, { repo: 'staging', tag: 'v3', version: 'app v3' })).ref,
      `${registry.host}/app`,
      'latest',
    );
    const hook = await createHandler(services.latest.id, { name: 'ci' });
    const body = envelope(
      pushEvents({ host: registry.host, repository: 'app', tag: 'latest', digest: v3.digest }),
    );

    const first = await post(hook.url, body, { 'content-type': REGISTRY_EVENTS_TYPE });
    const repeat = await post(hook.url, body, { 'content-type': REGISTRY_EVENTS_TYPE });

    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.equal(repeat.status, 200, JSON.stringify(repeat.body));
    assert.equal(repeat.body.duplicate, true);
    const firstAction = first.body.action as { id: string };
    assert.equal((repeat.body.action as { id: string }).id, firstAction.id);
    const ended = await waitForActionEnd(server, firstAction.id);
    assert.equal(ended.state, 'Success', JSON.stringify(ended.log));
    assert.equal(ended.digestAfter, v3.digest);

    await sleep(3000);
    const actions = await actionsOf(services.latest.id);
    assert.equal(actions.length, 2, 'the autoredeploy of v2 and this one');
    assert.equal(actions[0]?.id, firstAction.id);
    const recorded = await deliveries(services.latest.id, hook.webhook.id);
    assert.deepEqual(recorded.map((d) => d.outcome).sort(), ['accepted', 'ignored']);
    const repeated = recorded.find((d) => d.outcome === 'ignored');
    assert.match(repeated?.reason ?? '', /^a repeat of the delivery received at /);
    assert.equal(recorded.find((d) => d.outcome === 'accepted')?.actionId, firstAction.id);
    const pushed = (await registryCalls()).find((c) =>
      c.pushed.includes(`${registry.host}/app:latest`),
    );
    assert.equal(pushed?.outcome, 'ignored', 'with autoredeploy off, the push itself is ignored');
  });

  // The registry notifies a manifest push before it moves the tag (distribution's PutManifest:
  // manifests.Put, which sends the event, then tags.Tag), so a redeploy that pulls repo:tag at
  // once can get the previous image. Here the tag moves 1.5 s after the event, as it can under
  // load. A redeploy for a push must end running the pushed digest (or fail saying why), never
  // report Success on the old one: it pulls again until the pushed digest arrives.
  test('a redeploy for a reported push runs the pushed digest even when the tag moves after the event', async () => {
    const v4 = await buildAndPushTo(registry.host, {
      repo: 'staging',
      tag: 'v4',
      version: 'app v4',
    });
    const hook = await createHandler(services.latest.id, { name: 'early event' });
    const body = envelope(
      pushEvents({ host: registry.host, repository: 'app', tag: 'latest', digest: v4.digest }),
    );
    const call = await post(hook.url, body, { 'content-type': REGISTRY_EVENTS_TYPE });
    assert.equal(call.status, 202, JSON.stringify(call.body));
    await sleep(1500);
    await tagAndPush(v4.ref, `${registry.host}/app`, 'latest');
    const ended = await waitForActionEnd(server, (call.body.action as { id: string }).id);
    const log = JSON.stringify(ended.log.map((l) => l.message));
    assert.equal(ended.state, 'Success', log);
    assert.equal(ended.digestAfter, v4.digest, log);
    assert.ok(
      ended.log.some((l) => /still serves .* pulling again/.test(l.message)),
      `the wait for the pushed digest is in the log: ${log}`,
    );
  });

  test('a Docker Hub push of a docker.io image is called back with "failure" when its redeploy fails', async () => {
    // The engine has no internet: pulling docker.io/hoisttest/app fails, so the redeploy does.
    await tagImage(v1.ref, 'hoisttest/app', 'latest');
    await runTestContainer({
      name: 'hoisttest-reg-hub',
      Image: 'hoisttest/app:latest',
      StopTimeout: 1,
    });
    const service = await findService(server, 'hoisttest-reg-hub');
    assert.equal(service.imageRef, 'hoisttest/app:latest');
    const hook = await createHandler(service.id, { name: 'docker hub' });
    const path = `/u/hoisttest/app/hook/${randomUUID()}/`;

    const call = await post(
      hook.url,
      dockerHubPayload('hoisttest/app', 'latest', `http://${receiver.host}${path}`),
    );
    assert.equal(call.status, 202, JSON.stringify(call.body));
    const actionId = (call.body.action as { id: string }).id;
    const ended = await waitForActionEnd(server, actionId);
    assert.equal(ended.state, 'Failed', JSON.stringify(ended.log));

    const callback = await receiver.waitFor(path);
    assert.equal(callback.method, 'POST');
    assert.equal(callback.headers['content-type'], 'application/json');
    const body = callback.body as Record<string, unknown>;
    assert.equal(body.state, 'failure');
    assert.equal(body.context, 'Hoist');
    assert.equal(body.target_url, `${server.url}/api/v1/actions/${actionId}`);
    assert.match(String(body.description), /^Redeploy failed: /);
    assert.equal(String(body.description), `Redeploy failed: ${ended.reason}`.slice(0, 255));
    const recorded = await until('the callback result', async () => {
      const [delivery] = await deliveries(service.id, hook.webhook.id);
      return delivery?.callbackResult ? delivery : undefined;
    });
    assert.equal(recorded.callbackResult, 'sent (200)');
    assert.equal(recorded.payloadKind, 'dockerhub');
    assert.equal(recorded.pushed, 'docker.io/hoisttest/app:latest');
    assert.equal(recorded.actionId, actionId);
    // The container is still the one it was.
    const container = await testDocker().getContainer('hoisttest-reg-hub').inspect();
    assert.equal(container.State.Running, true);
  });

  test('a callback_url off the allow-list is never called; the delivery says why', async () => {
    const service = await findService(server, 'hoisttest-reg-hub');
    const hook = await createHandler(service.id, { name: 'hub elsewhere' });
    const before = receiver.received.length;
    const evil = `http://127.0.0.1:1@${receiver.host}/stolen`;
    const call = await post(hook.url, dockerHubPayload('hoisttest/app', 'latest', evil));
    assert.equal(call.status, 202, JSON.stringify(call.body));
    await waitForActionEnd(server, (call.body.action as { id: string }).id);
    const recorded = await until('the callback result', async () => {
      const [delivery] = await deliveries(service.id, hook.webhook.id);
      return delivery?.callbackResult ? delivery : undefined;
    });
    assert.match(recorded.callbackResult ?? '', /^not sent: refused by policy: /);
    assert.equal(receiver.received.length, before, 'nothing reached the receiver');
  });

  test('a signed handler answers 401 to an unsigned call and 202 to a Standard Webhooks-signed one', async () => {
    const hook = await createHandler(services.dev.id, { name: 'signed', signed: true });
    assert.equal(hook.webhook.signed, true);
    assert.match(hook.signingSecret ?? '', /^whsec_/);
    const listed = await server.api('GET', `/api/v1/services/${services.dev.id}/webhooks`);
    assert.ok(!JSON.stringify(listed.body).includes(hook.signingSecret ?? '-'));
    const body = '{"release":"dev"}';

    const unsigned = await post(hook.url, body);
    assert.equal(unsigned.status, 401, JSON.stringify(unsigned.body));
    assert.equal((unsigned.body.error as { code: string }).code, 'signature_invalid');

    const signed = await post(hook.url, body, {
      'content-type': 'application/json',
      ...standardWebhooksHeaders(hook.signingSecret ?? '', body),
    });
    assert.equal(signed.status, 202, JSON.stringify(signed.body));
    const ended = await waitForActionEnd(server, (signed.body.action as { id: string }).id);
    assert.equal(ended.state, 'Success', JSON.stringify(ended.log));

    const recorded = await deliveries(services.dev.id, hook.webhook.id);
    assert.deepEqual(recorded.map((d) => d.outcome).sort(), ['accepted', 'rejected']);
    const rejected = recorded.find((d) => d.outcome === 'rejected');
    assert.match(rejected?.reason ?? '', /^signature: the call is not signed/);
  });

  test("a passBody handler gives the call's body to the new container as HOIST_TRIGGER_BODY", async () => {
    const hook = await createHandler(services.other.id, { name: 'with body', passBody: true });
    assert.equal(hook.webhook.passBody, true);
    const body = '{"build": 7, "note": "héllo \\"world\\"\\nline two"}';

    const call = await post(hook.url, body);
    assert.equal(call.status, 202, JSON.stringify(call.body));
    const ended = await waitForActionEnd(server, (call.body.action as { id: string }).id);
    assert.equal(ended.state, 'Success', JSON.stringify(ended.log));

    const container = await testDocker().getContainer('hoisttest-reg-other').inspect();
    assert.ok(
      container.Config.Env.includes(`HOIST_TRIGGER_BODY=${body}`),
      JSON.stringify(container.Config.Env),
    );
  });

  test('the registry endpoint redeploys once for an envelope sent twice, and answers the repeat with the action', async () => {
    // other:latest has autoredeploy on; the envelope reports a digest it does not run.
    const body = envelope(
      pushEvents({ host: registry.host, repository: 'other', tag: 'latest', digest: v3.digest }),
    );
    const before = (await actionsOf(services.other.id)).length;

    const first = await post(registryUrl, body, { 'content-type': REGISTRY_EVENTS_TYPE });
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const [queued] = first.body.actions as { id: string; state: string }[];
    assert.ok(queued);
    const ended = await waitForActionEnd(server, queued.id);
    assert.equal(ended.state, 'Success', JSON.stringify(ended.log));

    const repeat = await post(registryUrl, body, { 'content-type': REGISTRY_EVENTS_TYPE });
    assert.equal(repeat.status, 200, JSON.stringify(repeat.body));
    assert.equal(repeat.body.duplicate, true);
    assert.deepEqual(repeat.body.actions, [
      { id: queued.id, state: 'Success', url: `${server.url}/api/v1/actions/${queued.id}` },
    ]);
    assert.equal((await actionsOf(services.other.id)).length, before + 1);
    const [call] = await registryCalls();
    assert.equal(call?.outcome, 'duplicate');
  });

  test('a revoked registry endpoint answers 404 like an unknown one', async () => {
    const unknown = await post(`${server.url}/registry-events/${'x'.repeat(43)}`, { events: [] });
    assert.equal(unknown.status, 404);
    const revoked = await server.api('DELETE', `/api/v1/registries/${registryId}`);
    assert.equal(revoked.status, 204);
    const after = await post(registryUrl, { events: [] });
    assert.equal(after.status, 404);
    assert.deepEqual(after.body, unknown.body);
    const listed = await server.api<{ registries: { id: string; revokedAt: string | null }[] }>(
      'GET',
      '/api/v1/registries',
    );
    assert.ok(listed.body.registries.find((r) => r.id === registryId)?.revokedAt);
    assert.ok(!JSON.stringify(listed.body).includes(registryUrl.split('/').pop() ?? '-'));
  });
});
