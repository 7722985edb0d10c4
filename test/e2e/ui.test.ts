/**
 * The web UI end to end: a real Hoist server (in process, real port) serving
 * the built UI (web/dist), the private test engine with a real container, and
 * Debian's Chromium driven by playwright-core. The seed flow: sign in, open
 * the service, add a webhook, read its URL from the modal, call it, watch the
 * action reach Success live (no reload), revoke it, see the URL answer 404.
 * Every page is saved as a screenshot in test-artifacts/, at 1280 px and at
 * phone width.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertWebBuilt, launchChromium, screenshot } from '../support/browser.js';
import { findService, runTestContainer, type ApiService } from '../support/scenario.js';
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
      errors.push(`console: ${message.text()}`);
    }
  });
  return errors;
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
    await row.waitFor();
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
    await screenshot(page, 'service-general-1280');

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
    assert.ok(!(await page.content()).includes(url), 'the URL is gone with the modal');

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

    // Webhooks again: the call is counted; revoke (with a confirm); the URL answers 404.
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
    await screenshot(page, 'service-webhooks-1280');

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
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const modal = page.getByRole('dialog', { name: 'Webhook “phone” added' });
    await modal.waitFor();
    await screenshot(page, 'webhook-created-390');
    await modal.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('row').filter({ hasText: 'phone' }).waitFor();
    await noSideScroll('Webhooks');
    await screenshot(page, 'service-webhooks-390');

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
});
