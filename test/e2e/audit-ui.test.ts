/**
 * The audit page in real Chromium, on the in-process server without an engine
 * (test/helper.ts): changes made through the API show with who made them, the
 * actor filter narrows the list and is kept in the URL, and the object links
 * to its service.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import type { CreatedWebhook } from '../support/api-bodies.js';
import { apiRequest } from '../support/api-request.js';
import { assertWebBuilt, launchChromium, screenshot } from '../support/browser.js';

describe('audit page', () => {
  let server: TestApp;
  let browser: Browser;

  before(async () => {
    assertWebBuilt();
    browser = await launchChromium();
    server = await startTestApp();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('shows who changed what, filters by actor, and links to the service', async () => {
    const service = await addStoredService(server.store, 'hoist-test-audit-ui');
    const made = await server.api<{ password: string }>('POST', '/api/v1/users', {
      username: 'otto',
      role: 'operator',
    });
    const signIn = await fetch(`${server.url}/api/v1/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'otto', password: made.body.password, tokenName: 'ci' }),
    });
    const otto = ((await signIn.json()) as { token: string }).token;
    const created = await apiRequest<CreatedWebhook>(
      server.url,
      otto,
      'POST',
      `/api/v1/services/${service.id}/webhooks`,
      { name: 'docker hub' },
    );
    assert.equal(created.status, 201);

    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/`);
    await page.getByLabel('API token').fill(server.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Audit' })
      .click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();

    const byOtto = page.getByRole('row').filter({ hasText: 'handler.created' });
    await byOtto.waitFor();
    const text = (await byOtto.textContent()) ?? '';
    for (const part of ['otto', '(ci)', 'handler docker hub', '127.0.0.1']) {
      assert.ok(text.includes(part), `${part} in ${text}`);
    }
    await page
      .getByRole('row')
      .filter({ hasText: 'user.created' })
      .filter({ hasText: 'admin' })
      .waitFor();
    await screenshot(page, 'audit-1280');

    await page.getByLabel('Actor').fill('otto');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/\/audit\?actor=otto$/);
    await page.getByRole('row').filter({ hasText: 'user.created' }).waitFor({ state: 'detached' });
    assert.ok((await page.getByRole('row').filter({ hasText: 'handler.created' }).count()) === 1);

    await byOtto.getByRole('link', { name: 'handler docker hub' }).click();
    await page.waitForURL(new RegExp(`/services/${service.id}/webhooks$`));
    assert.deepEqual(errors, []);
    await page.close();
  });
});
