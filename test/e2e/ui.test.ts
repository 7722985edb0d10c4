/**
 * The web UI end to end: a real Hoist server (in process, real port) serving
 * the built UI (web/dist), the private test engine with a real container, and
 * Debian's Chromium driven by playwright-core. The seed flow: sign in, open
 * the service, add a webhook, read its URL from the modal, call it, watch the
 * action reach Success live (no reload), revoke it, see the URL answer 404.
 * Around it: a handler's deliveries, a signed handler and its secret, a Standard
 * Webhooks-only handler that refuses a GitHub signature, a rate-limited handler
 * and its 429, the autoredeploy switch, and Load more under long delivery and
 * action lists. Every page is saved as a screenshot in test-artifacts/, at 1280 px and at
 * phone width.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertWebBuilt, launchChromium, screenshot } from '../support/browser.js';
import { dockerHubPayload, gitHubSignature } from '../support/registry-payloads.js';
import { addStoredService } from '../helper.js';
import { actionRecord, at, deliveryRecord, newestFirst } from '../support/records.js';
import {
  createWebhook,
  findService,
  runTestContainer,
  waitForActionEnd,
  type ApiService,
} from '../support/scenario.js';
import { buildAndPushTestImage, cleanupTestContainers } from '../support/test-engine.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CONTAINER = 'hoist-test-ui-web';
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
/** A redeploy of one container: pull, replace, 1 s of monitoring (HOIST_MONITOR_SECONDS). */
const ACTION_TIMEOUT_MS = 90_000;

async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
}

const serviceTab = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Service sections' }).getByRole('link', { name });

const mainNav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

/** Browser console errors and failed page scripts: a page that "looks fine" may still have thrown. */
function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // A 401 or 404 the UI asked for on purpose is logged by Chromium as a failed resource.
    if (message.type() === 'error' && !/status of (401|404)/.test(message.text())) {
      const { url } = message.location();
      errors.push(`console: ${message.text()}${url ? ` (${url})` : ''}`);
    }
  });
  return errors;
}

/**
 * Waits until the page's HTML no longer holds text: a closed dialog leaves the DOM one
 * render after it stops showing, so reading the page at once can still find it.
 */
async function goneFromPage(page: Page, text: string, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await page.content()).includes(text)) {
    if (Date.now() > deadline) assert.fail(what);
    await page.waitForTimeout(50);
  }
}

describe('web UI', () => {
  let server: TestServer;
  let browser: Browser;
  let service: ApiService;
  let imageRef: string;

  before(async () => {
    assertWebBuilt();
    browser = await launchChromium();
    await cleanupTestContainers();
    server = await startTestServer();
    const image = await buildAndPushTestImage({
      repo: 'hoist-test/ui',
      tag: 'latest',
      version: 'ui v1',
    });
    imageRef = image.ref;
    await runTestContainer({ name: CONTAINER, Image: image.ref, StopTimeout: 1 });
    service = await findService(server, CONTAINER);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await cleanupTestContainers();
  });

  const serviceFromApi = async () =>
    (
      await server.api<ApiService & { autoredeploy: boolean }>(
        'GET',
        `/api/v1/services/${service.id}`,
      )
    ).body;

  test('sign in, add a webhook, call it, watch it succeed live, revoke it', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    let loads = 0;
    page.on('load', () => loads++);

    // Unauthenticated: the sign-in form and nothing else.
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
    await page.getByLabel('API token').fill('hoist_not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
    await screenshot(page, 'sign-in-1280');
    await signIn(page, server.token);
    assert.equal(
      await page.evaluate('sessionStorage.getItem("hoist.apiToken")'),
      server.token,
      'the token is kept for the browser session',
    );

    // Services: the container, with its image, state and counts; search narrows the list.
    const row = page.getByRole('row').filter({ hasText: CONTAINER });
    // The last action column loads after the list: wait for it, not for the row alone.
    await row.filter({ hasText: 'none yet' }).waitFor();
    const rowText = (await row.textContent()) ?? '';
    assert.ok(rowText.includes(imageRef), rowText);
    assert.ok(rowText.includes('Running'), rowText);
    assert.ok(rowText.includes('1/1 containers'), rowText);
    assert.ok(rowText.includes('none yet'), rowText);
    await page.getByLabel('Search services').fill('no-such-service-anywhere');
    await page.getByText('No service matches').waitFor();
    await page.getByLabel('Search services').fill(CONTAINER.slice(-6));
    await row.waitFor();
    await screenshot(page, 'services-1280');

    // General: image, digest, the container, a Redeploy button.
    await row.getByRole('link', { name: CONTAINER }).click();
    await page.getByRole('heading', { name: CONTAINER, level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/services/${service.id}`);
    await page.getByRole('row').filter({ hasText: CONTAINER }).getByText('running').waitFor();
    assert.ok(service.digest, 'the test container runs a pushed image with a digest');
    await page.getByText(service.digest).waitFor();
    await page.getByRole('button', { name: 'Redeploy' }).waitFor();

    // Autoredeploy: a switch that saves at once, and stays after a reload.
    const autoredeploy = page.getByRole('switch', { name: 'Autoredeploy' });
    assert.equal(await autoredeploy.isChecked(), false);
    await page
      .getByText(`Redeploy when a registry endpoint reports a push of ${imageRef}`)
      .waitFor();
    await autoredeploy.check();
    await page.getByRole('status').filter({ hasText: 'Autoredeploy is on.' }).waitFor();
    assert.equal((await serviceFromApi()).autoredeploy, true, 'the API has it on');
    await screenshot(page, 'service-general-1280');
    await page.reload();
    await page.getByRole('heading', { name: CONTAINER, level: 1 }).waitFor();
    await page.getByRole('switch', { name: 'Autoredeploy', checked: true }).waitFor();
    // A refused change: the switch moves, then goes back, saying why.
    await page.route(`**/api/v1/services/${service.id}`, (route) =>
      route.request().method() === 'PATCH'
        ? route.fulfill({
            status: 503,
            json: { error: { code: 'store_unavailable', message: 'The database is locked.' } },
          })
        : route.fallback(),
    );
    await autoredeploy.click();
    await page.getByRole('alert').filter({ hasText: 'The database is locked.' }).waitFor();
    assert.equal(await autoredeploy.isChecked(), true, 'rolled back');
    await page.unroute(`**/api/v1/services/${service.id}`);
    // Chromium logs the refused PATCH as a failed resource: that one was asked for.
    const refusal = `status of 503 (Service Unavailable) (${server.url}/api/v1/services/${service.id})`;
    const logged = errors.findIndex((error) => error.endsWith(refusal));
    if (logged >= 0) errors.splice(logged, 1);
    await autoredeploy.uncheck();
    await page.getByRole('status').filter({ hasText: 'Autoredeploy is off.' }).waitFor();
    assert.equal((await serviceFromApi()).autoredeploy, false, 'the API has it off');

    // Webhooks: add one by name; the modal shows the URL once.
    await serviceTab(page, 'Webhooks').click();
    await page.getByText('No webhook handlers yet').waitFor();
    await page.getByLabel('Add webhook').fill('ci build');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const modal = page.getByRole('dialog', { name: 'Webhook “ci build” added' });
    await modal.waitFor();
    const url = await modal.getByLabel('Webhook URL').inputValue();
    assert.match(url, new RegExp(`^${server.url}/hooks/[A-Za-z0-9_-]{40,}$`));
    await modal.getByText('it will not be shown again').waitFor();
    await modal.getByRole('button', { name: 'Copy' }).click();
    await modal.getByText(/Copied to the clipboard|the URL is selected/).waitFor();
    await screenshot(page, 'webhook-created-1280');
    await modal.getByRole('button', { name: 'Done' }).click();
    await modal.waitFor({ state: 'hidden' });
    const handlerRow = page.getByRole('row').filter({ hasText: 'ci build' });
    await handlerRow.getByText('Redeploy').waitFor();
    await handlerRow.getByText('never').waitFor();
    await goneFromPage(page, url, 'the URL is gone with the modal');

    // Activity: follow live, then call the URL from outside the browser.
    await serviceTab(page, 'Activity').click();
    await page.getByText('Nothing has happened to this service yet').waitFor();
    // Connected before the call, or its first event could be missed.
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await page.evaluate('window.hoistTestMarker = "same document"');
    const loadsBefore = loads;

    const call = await fetch(url, { method: 'POST' });
    assert.equal(call.status, 202);
    const { action } = (await call.json()) as { action: { id: string } };

    const item = page.locator(`li[data-action-id="${action.id}"]`);
    await item.waitFor({ timeout: 10_000 });
    assert.match((await item.textContent()) ?? '', /Redeploy.*by webhook “ci build”/);
    await item
      .locator('[data-state="Success"]')
      .waitFor({ timeout: ACTION_TIMEOUT_MS })
      .catch(async (error: Error) => {
        const { body } = await server.api<{ state: string }>('GET', `/api/v1/actions/${action.id}`);
        await screenshot(page, 'failed-service-activity-1280');
        const hint =
          body.state === 'Success'
            ? 'The action ended, but the page never got its event: does GET /api/v1/events send one when an action ends?\n'
            : '';
        assert.fail(
          `${hint}${error.message}\nthe page shows: ${await item.textContent()}\nthe API says: ${JSON.stringify(body)}`,
        );
      });
    assert.equal(
      await page.evaluate('window.hoistTestMarker'),
      'same document',
      'the page was not reloaded',
    );
    assert.equal(loads, loadsBefore, 'no page load between the call and Success');

    // Expanded: its steps.
    await item.getByRole('button', { expanded: false }).click();
    await item.getByRole('listitem').first().waitFor();
    assert.ok((await item.getByRole('listitem').count()) >= 2, 'a redeploy logs several steps');
    await screenshot(page, 'service-activity-1280');

    // Webhooks again: the call is counted; expanded, the handler shows its delivery.
    await serviceTab(page, 'Webhooks').click();
    await handlerRow.getByRole('cell', { name: '1', exact: true }).waitFor();
    const toggle = handlerRow.getByRole('button', { name: 'ci build' });
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    const deliveries = page.getByRole('table', { name: 'Recent deliveries' }).locator('tbody tr');
    await deliveries.first().waitFor();
    assert.equal(await deliveries.count(), 1);
    const delivery = deliveries.first();
    await delivery.locator('[data-outcome="accepted"]').getByText('Accepted').waitFor();
    assert.match((await delivery.textContent()) ?? '', /127\.0\.0\.1|::1/, 'from the test');
    await delivery.getByText('No body').waitFor();
    await delivery.getByRole('time').waitFor();
    const actionLink = delivery.getByRole('link', { name: 'See the action' });
    assert.equal(
      await actionLink.getAttribute('href'),
      `/services/${service.id}/activity?action=${action.id}`,
    );
    await screenshot(page, 'webhook-deliveries-1280');
    // The link opens the action, expanded, in the service's Activity.
    await actionLink.click();
    await item.getByRole('button', { expanded: true }).waitFor();
    await item.getByRole('listitem').first().waitFor();
    await screenshot(page, 'service-activity-linked-1280');

    // Revoke (with a confirm); the URL answers 404.
    await serviceTab(page, 'Webhooks').click();
    await handlerRow.getByRole('cell', { name: '1', exact: true }).waitFor();
    await handlerRow.getByRole('button', { name: 'Revoke' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke “ci build”?' });
    await confirm.waitFor();
    await screenshot(page, 'webhook-revoke-confirm-1280');
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await handlerRow.getByText('Revoked').waitFor();
    const revokedCall = await fetch(url, { method: 'POST' });
    assert.equal(revokedCall.status, 404);

    // A signed handler that passes the body: its secret is in the modal, once.
    await page.getByLabel('Add webhook').fill('signed build');
    await page.getByLabel('Require signed calls').check();
    await page.getByLabel("Pass the call's body to the containers").check();
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const signedModal = page.getByRole('dialog', { name: 'Webhook “signed build” added' });
    await signedModal.waitFor();
    const signedUrl = await signedModal.getByRole('textbox', { name: 'Webhook URL' }).inputValue();
    const secret = await signedModal.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    await signedModal.getByText('both are shown only once').waitFor();
    await signedModal.getByRole('button', { name: 'Copy the signing secret' }).click();
    await signedModal.getByText(/Copied to the clipboard|the signing secret is selected/).waitFor();
    await screenshot(page, 'webhook-created-signed-1280');
    await signedModal.getByRole('button', { name: 'Done' }).click();
    await signedModal.waitFor({ state: 'hidden' });
    await goneFromPage(page, secret, 'the secret is gone with the modal');
    const signedRow = page.getByRole('row').filter({ hasText: 'signed build' });
    await signedRow.getByText('signed', { exact: true }).waitFor();
    await signedRow.getByText('passes body', { exact: true }).waitFor();

    // An unsigned call is refused, and listed with the reason.
    const unsigned = await fetch(signedUrl, { method: 'POST' });
    assert.equal(unsigned.status, 401);
    await signedRow.getByRole('button', { name: 'signed build' }).click();
    const signedDeliveries = page
      .getByRole('table', { name: 'Recent deliveries' })
      .locator('tbody tr');
    const rejected = signedDeliveries.filter({ has: page.locator('[data-outcome="rejected"]') });
    await rejected.getByText('signature: the call is not signed').waitFor();
    assert.equal(await rejected.getByRole('link').count(), 0, 'no action');

    // A signed call is accepted: the open list shows it without a click.
    const body = JSON.stringify({ hello: 'from the test' });
    const signature = gitHubSignature(secret, body);
    const signedCall = await fetch(signedUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body,
    });
    assert.equal(signedCall.status, 202);
    const signedAction = ((await signedCall.json()) as { action: { id: string } }).action;
    await signedDeliveries.nth(1).waitFor();
    const accepted = signedDeliveries.first();
    await accepted.locator('[data-outcome="accepted"]').waitFor();
    await accepted.getByText('JSON').waitFor();
    assert.equal(
      await accepted.getByRole('link', { name: 'See the action' }).getAttribute('href'),
      `/services/${service.id}/activity?action=${signedAction.id}`,
    );
    await screenshot(page, 'service-webhooks-1280');
    const signedEnded = await waitForActionEnd(server, signedAction.id, ACTION_TIMEOUT_MS);
    assert.equal(signedEnded.state, 'Success', JSON.stringify(signedEnded));
    // A refused call queues nothing, so no event tells the page: Refresh shows it.
    assert.equal((await fetch(signedUrl, { method: 'POST' })).status, 401);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await signedDeliveries.nth(2).waitFor();
    assert.equal(await rejected.count(), 2, 'both refused calls listed');
    await signedRow.getByRole('button', { name: 'signed build' }).click();
    await page.getByRole('table', { name: 'Recent deliveries' }).waitFor({ state: 'detached' });

    // A handler with a rate limit. The field is optional: the handlers above were added without it.
    const creates: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith(`/${service.id}/webhooks`)) {
        creates.push(request.postData() ?? '');
      }
    });
    const rateField = page.getByLabel('Calls per minute (optional)');
    assert.equal(await rateField.inputValue(), '');
    await page.getByLabel('Add webhook').fill('limited build');
    // 0 is out of range: the browser keeps the form from being sent.
    await rateField.fill('0');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('form.add-webhook input[type="number"]:invalid').waitFor();
    await rateField.fill('2');
    await page
      .locator('form.add-webhook input[type="number"]:invalid')
      .waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const limitedModal = page.getByRole('dialog', { name: 'Webhook “limited build” added' });
    await limitedModal.waitFor();
    await limitedModal
      .getByText('It takes at most 2 calls a minute: 2 at once, then one more every 30 s.')
      .waitFor();
    const limitedUrl = await limitedModal.getByLabel('Webhook URL').inputValue();
    await screenshot(page, 'webhook-created-limited-1280');
    await limitedModal.getByRole('button', { name: 'Done' }).click();
    await limitedModal.waitFor({ state: 'hidden' });
    assert.equal(
      creates.length,
      1,
      `one create request, not the refused 0: ${creates.join(' | ')}`,
    );
    assert.equal(JSON.parse(creates[0]!).rateLimitPerMinute, 2);
    assert.equal(await rateField.inputValue(), '', 'cleared for the next handler');
    const limitedRow = page.getByRole('row').filter({ hasText: 'limited build' });
    await limitedRow.getByText('≤ 2 calls/min', { exact: true }).waitFor();
    assert.equal(
      await page.locator('.tag').filter({ hasText: 'calls/min' }).count(),
      1,
      'handlers without a limit show none',
    );
    const { body: listing } = await server.api<{
      webhooks: { name: string; rateLimitPerMinute: number | null }[];
    }>('GET', `/api/v1/services/${service.id}/webhooks`);
    assert.deepEqual(
      Object.fromEntries(listing.webhooks.map((w) => [w.name, w.rateLimitPerMinute])),
      { 'ci build': null, 'signed build': null, 'limited build': 2 },
    );

    // The limit at work: two calls at once are taken (a push of another image, ignored: no
    // redeploy), the third answers 429 and is listed as rejected.
    const otherPush = JSON.stringify(dockerHubPayload('someone/else', 'latest', null));
    const callLimited = () =>
      fetch(limitedUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: otherPush,
      });
    for (let i = 0; i < 2; i++) {
      const taken = await callLimited();
      const text = await taken.text();
      assert.equal(taken.status, 200, text);
      assert.equal((JSON.parse(text) as { ignored?: boolean }).ignored, true, text);
    }
    const limited = await callLimited();
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1, 'Retry-After in seconds');
    const limitedError = ((await limited.json()) as { error: { code: string; message: string } })
      .error;
    assert.equal(limitedError.code, 'rate_limited');
    assert.match(limitedError.message, /at most 2 calls a minute/);
    await limitedRow.getByRole('button', { name: 'limited build' }).click();
    const limitedDeliveries = page
      .getByRole('table', { name: 'Recent deliveries' })
      .locator('tbody tr');
    await limitedDeliveries.nth(2).waitFor();
    assert.equal(await limitedDeliveries.count(), 3);
    const refused = limitedDeliveries.first();
    await refused.locator('[data-outcome="rejected"]').getByText('Rejected').waitFor();
    await refused.getByText('rate limited: more than 2 calls a minute').waitFor();
    assert.equal(
      await limitedDeliveries.filter({ has: page.locator('[data-outcome="ignored"]') }).count(),
      2,
    );
    await screenshot(page, 'webhook-rate-limited-1280');

    // A handler that takes Standard Webhooks signatures only: GitHub's, which can be replayed, are refused.
    const standardOnly = page.getByLabel('Standard Webhooks signatures only');
    assert.equal(await standardOnly.isDisabled(), true, 'only for signed handlers');
    await page.getByLabel('Add webhook').fill('sw build');
    await page.getByLabel('Require signed calls').check();
    await standardOnly.check();
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const swModal = page.getByRole('dialog', { name: 'Webhook “sw build” added' });
    await swModal.waitFor();
    const swUrl = await swModal.getByRole('textbox', { name: 'Webhook URL' }).inputValue();
    const swSecret = await swModal.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    await swModal.getByText(/webhook-signature\) only\. Unsigned calls answer 401\./).waitFor();
    assert.equal(await swModal.getByText('X-Hub-Signature-256').count(), 0);
    await swModal.getByRole('button', { name: 'Done' }).click();
    await swModal.waitFor({ state: 'hidden' });
    assert.equal(JSON.parse(creates.at(-1)!).signatureScheme, 'standard-webhooks');
    assert.equal(await standardOnly.isChecked(), false, 'cleared for the next handler');
    const swRow = page.getByRole('row').filter({ hasText: 'sw build' });
    await swRow.getByText('Standard Webhooks only', { exact: true }).waitFor();
    assert.equal(
      await signedRow.getByText('Standard Webhooks only', { exact: true }).count(),
      0,
      'a handler that takes any signature does not say so',
    );
    const swBody = '{}';
    const swGitHub = await fetch(swUrl, {
      method: 'POST',
      headers: { 'x-hub-signature-256': gitHubSignature(swSecret, swBody) },
      body: swBody,
    });
    assert.equal(swGitHub.status, 401);
    assert.match(await swGitHub.text(), /accepts Standard Webhooks signatures only/);
    await screenshot(page, 'webhook-standard-webhooks-only-1280');

    // The global Activity page, filtered by state.
    await mainNav(page, 'Activity').click();
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    const globalItem = page.locator(`li[data-action-id="${action.id}"]`);
    await globalItem.getByRole('link', { name: CONTAINER }).waitFor();
    await page.getByLabel('State').selectOption('Failed');
    await page.getByText('No action is Failed now.').waitFor();
    await page.getByLabel('State').selectOption('Success');
    await globalItem.waitFor();
    assert.equal(new URL(page.url()).search, '?state=Success');
    await screenshot(page, 'activity-1280');

    // Sign out clears the token.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate('sessionStorage.getItem("hoist.apiToken")'), null);

    assert.deepEqual(errors, []);
    await context.close();
  });

  test('at phone width every page stays readable', async () => {
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    const noSideScroll = async (what: string) => {
      const overflow = await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      assert.ok(Number(overflow) <= 0, `${what} scrolls sideways by ${String(overflow)} px`);
    };

    await page.goto(`${server.url}/services`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'sign-in-390');
    await signIn(page, server.token);
    await page.getByRole('link', { name: CONTAINER }).waitFor();
    await noSideScroll('Services');
    await screenshot(page, 'services-390');

    await page.getByRole('link', { name: CONTAINER }).click();
    await page.getByRole('heading', { name: CONTAINER, level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Redeploy' }).waitFor();
    await noSideScroll('General');
    await screenshot(page, 'service-general-390');

    await serviceTab(page, 'Webhooks').click();
    await page.getByLabel('Add webhook').fill('phone');
    await page.getByLabel('Require signed calls').check();
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const modal = page.getByRole('dialog', { name: 'Webhook “phone” added' });
    await modal.waitFor();
    await screenshot(page, 'webhook-created-390');
    await modal.getByRole('button', { name: 'Done' }).click();
    const phoneRow = page.getByRole('row').filter({ hasText: 'phone' });
    await phoneRow.waitFor();
    await noSideScroll('Webhooks');
    await screenshot(page, 'service-webhooks-390');
    // Deliveries, expanded: none yet for the new one; the signed one's calls (two refused, one
    // accepted), as cards.
    await phoneRow.getByRole('button', { name: 'phone' }).click();
    await page.getByText('No calls yet.').waitFor();
    await page
      .getByRole('row')
      .filter({ hasText: 'signed build' })
      .getByRole('button', { name: 'signed build' })
      .click();
    await page.locator('tr[data-outcome="rejected"]').first().waitFor();
    await noSideScroll('Webhook deliveries');
    await screenshot(page, 'webhook-deliveries-390');

    await serviceTab(page, 'Activity').click();
    await page.locator('li.action').first().waitFor();
    await noSideScroll('Service activity');
    await screenshot(page, 'service-activity-390');

    await mainNav(page, 'Activity').click();
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    await page.locator('li.action').first().waitFor();
    await noSideScroll('Activity');
    await screenshot(page, 'activity-390');

    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a token the API refuses anywhere leads back to sign-in', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(`${server.url}/activity`);
    await page.evaluate('sessionStorage.setItem("hoist.apiToken", "hoist_revoked-or-expired")');
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Signed out: This API token is not valid').waitFor();
    assert.equal(await page.evaluate('sessionStorage.getItem("hoist.apiToken")'), null);
    await context.close();
  });

  test('deep links load their page, and the keyboard reaches the sign-in form', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(`${server.url}/services/${service.id}/webhooks`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type(server.token);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: CONTAINER, level: 1 }).waitFor();
    await page.getByLabel('Add webhook').waitFor();
    assert.equal(new URL(page.url()).pathname, `/services/${service.id}/webhooks`);
    await context.close();
  });

  test("a handler's long delivery list: a page, then Load more until none is left", async () => {
    const { webhook } = await createWebhook(server, service.id, 'many calls');
    // 45 calls long ago, three to a second, written into the store: pages of 20 end mid-second.
    const seeded = Array.from({ length: 45 }, (_, i) =>
      deliveryRecord(webhook.id, service.id, {
        receivedAt: at(Math.floor(i / 3)),
        outcome: 'ignored',
        reason: `call ${i}`,
      }),
    );
    for (const delivery of seeded) await server.store.insertDelivery(delivery);
    const newest = newestFirst(seeded, (d) => ({ at: d.receivedAt, id: d.id })).map((d) => d.id);

    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${server.url}/services/${service.id}/webhooks`);
    await page.getByLabel('API token').fill(server.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'many calls' }).click();
    const rows = page.getByRole('table', { name: 'Recent deliveries' }).locator('tbody tr');
    const more = page.getByRole('button', { name: 'Load more' });
    await rows.nth(19).waitFor();
    assert.equal(await rows.count(), 20);
    await more.click();
    await rows.nth(39).waitFor();
    assert.equal(await rows.count(), 40);
    await screenshot(page, 'webhook-deliveries-more-1280');
    await more.click();
    await rows.nth(44).waitFor();
    await more.waitFor({ state: 'detached' });
    assert.deepEqual(
      await Promise.all((await rows.all()).map((row) => row.getAttribute('data-delivery-id'))),
      newest,
    );
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('web UI when the engine does not answer', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  const socket = path.join(tmpdir(), `hoist-no-engine-${randomUUID()}`, 'docker.sock');

  before(async () => {
    assertWebBuilt();
    browser = await launchChromium();
    server = await startTestServer({ DOCKER_HOST: `unix://${socket}` });
    context = await browser.newContext({ viewport: DESKTOP });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test("Services shows the engine's message; Activity still works", async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await signIn(page, server.token);
    const alert = page.getByRole('alert');
    await alert.getByText('The Docker engine does not answer').waitFor();
    assert.ok(((await alert.textContent()) ?? '').includes(socket));
    await alert.getByRole('button', { name: 'Try again' }).waitFor();
    await screenshot(page, 'services-engine-down-1280');

    await mainNav(page, 'Activity').click();
    await page.getByText('No actions yet.').waitFor();
  });

  test('Activity shows the newest 100 actions, and Load more the older ones', async () => {
    const stored = await addStoredService(server.store, 'hoist-test-ui-many');
    const seeded = Array.from({ length: 130 }, (_, i) =>
      actionRecord(stored.id, {
        state: 'Success',
        createdAt: at(Math.floor(i / 4)),
      }),
    );
    for (const action of seeded) await server.store.insertAction(action);
    const newest = newestFirst(seeded, (a) => ({ at: a.createdAt, id: a.id })).map((a) => a.id);

    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${server.url}/`);
    await signIn(page, server.token);
    await mainNav(page, 'Activity').click();
    const items = page.locator('li[data-action-id]');
    await items.nth(99).waitFor();
    assert.equal(await items.count(), 100);
    await page.getByRole('button', { name: 'Load more' }).click();
    await items.nth(129).waitFor();
    await page.getByRole('button', { name: 'Load more' }).waitFor({ state: 'detached' });
    assert.deepEqual(
      await Promise.all((await items.all()).map((item) => item.getAttribute('data-action-id'))),
      newest,
    );
    await screenshot(page, 'activity-more-1280');
    // The services list's 503 is this describe's premise (no engine); nothing else failed.
    assert.deepEqual(
      errors.filter((e) => !/status of 503 .*\/api\/v1\/services\)$/.test(e)),
      [],
    );
  });
});
