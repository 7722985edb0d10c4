/** Reading a Prometheus text page as a test needs it: fetch it, and one sample's value. */
import assert from 'node:assert/strict';

/** GET /metrics with the metrics token; fails the test on anything but 200. */
export async function metricsPage(url: string, token: string): Promise<string> {
  const response = await fetch(`${url}/metrics`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return text;
}

/** The value of the sample `name{labels}` (exactly those labels, in any order); fails when absent. */
export function sample(page: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort()
    .join(',');
  for (const line of page.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = (match[2] ?? '').split(',').filter(Boolean).sort().join(',');
    if (got === wanted) return Number(match[3]);
  }
  assert.fail(`no sample ${name}{${wanted}} in the page`);
}
