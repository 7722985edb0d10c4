/**
 * Signed calls: GitHub's and Standard Webhooks' published test vectors, and
 * every way a signature can be wrong, each refused with a reason that names
 * the problem without repeating a secret or a signature.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  generateSigningSecret,
  verifySignature,
  type SignatureCheck,
} from '../../src/domain/webhooks/signature.js';

// GitHub's test vector (docs: "Validating webhook deliveries").
const GH_SECRET = "It's a Secret to Everybody";
const GH_BODY = Buffer.from('Hello, World!');
const GH_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

// Standard Webhooks' example (the specification's "Verifying webhook authenticity").
const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SW_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SW_TIMESTAMP = 1614265330;
const SW_BODY = Buffer.from('{"test": 2432232314}');
const SW_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const SW_NOW = new Date(SW_TIMESTAMP * 1000);
/** GitHub's signature of the same call: a call can carry both schemes. */
const SW_BODY_GITHUB_SIGNATURE = `sha256=${createHmac('sha256', SW_SECRET).update(SW_BODY).digest('hex')}`;

function standardHeaders(overrides: Record<string, string | undefined> = {}) {
  return {
    'webhook-id': SW_ID,
    'webhook-timestamp': String(SW_TIMESTAMP),
    'webhook-signature': SW_SIGNATURE,
    ...overrides,
  };
}

function verifyStandard(
  overrides: Record<string, string | undefined> = {},
  options: { now?: Date; body?: Buffer; secret?: string } = {},
): SignatureCheck {
  return verifySignature({
    secret: options.secret ?? SW_SECRET,
    headers: standardHeaders(overrides),
    body: options.body ?? SW_BODY,
    now: options.now ?? SW_NOW,
  });
}

function verifyGitHub(signature: string | undefined, body = GH_BODY, secret = GH_SECRET) {
  return verifySignature({
    secret,
    headers: { 'x-hub-signature-256': signature },
    body,
    now: new Date(),
  });
}

function reasonOf(check: SignatureCheck): string {
  assert.equal(check.ok, false, 'expected a refusal');
  return check.ok ? '' : check.reason;
}

/** Standard Webhooks v1 signature of `body`, keyed as the specification says. */
function sign(secret: string, id: string, timestamp: number, body: Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

describe('GitHub X-Hub-Signature-256', () => {
  it("accepts GitHub's published test vector", () => {
    assert.deepEqual(verifyGitHub(GH_SIGNATURE), { ok: true, scheme: 'github' });
  });

  it('accepts upper-case hex and any case of the header name', () => {
    const upper = `sha256=${GH_SIGNATURE.slice('sha256='.length).toUpperCase()}`;
    assert.equal(verifyGitHub(upper).ok, true);
    const check = verifySignature({
      secret: GH_SECRET,
      headers: { 'X-Hub-Signature-256': GH_SIGNATURE },
      body: GH_BODY,
      now: new Date(),
    });
    assert.equal(check.ok, true);
  });

  it('refuses a tampered body, another secret, and a signature of something else', () => {
    assert.equal(
      reasonOf(verifyGitHub(GH_SIGNATURE, Buffer.from('Hello, World?'))),
      'X-Hub-Signature-256 does not match the body',
    );
    assert.equal(reasonOf(verifyGitHub(GH_SIGNATURE, GH_BODY, 'another secret')).length > 0, true);
    assert.equal(reasonOf(verifyGitHub(GH_SIGNATURE, Buffer.alloc(0))).length > 0, true);
    const flipped = GH_SIGNATURE.slice(0, -1) + (GH_SIGNATURE.endsWith('7') ? '8' : '7');
    assert.equal(reasonOf(verifyGitHub(flipped)), 'X-Hub-Signature-256 does not match the body');
  });

  it('refuses another scheme prefix and a value that is not 64 hex digits', () => {
    const hex = GH_SIGNATURE.slice('sha256='.length);
    assert.equal(
      reasonOf(verifyGitHub(`sha1=${hex}`)),
      'X-Hub-Signature-256 does not start with sha256=',
    );
    assert.equal(reasonOf(verifyGitHub(hex)), 'X-Hub-Signature-256 does not start with sha256=');
    for (const value of [
      `sha256=${hex.slice(2)}`,
      `sha256=${hex}00`,
      `sha256=${'z'.repeat(64)}`,
      'sha256=',
    ]) {
      assert.equal(
        reasonOf(verifyGitHub(value)),
        'X-Hub-Signature-256 is not sha256= followed by 64 hex digits',
        value,
      );
    }
  });

  it('refuses the SHA-1 X-Hub-Signature alone, saying the SHA-256 one is needed', () => {
    const sha1 = createHmac('sha1', GH_SECRET).update(GH_BODY).digest('hex');
    const check = verifySignature({
      secret: GH_SECRET,
      headers: { 'x-hub-signature': `sha1=${sha1}` },
      body: GH_BODY,
      now: new Date(),
    });
    assert.match(reasonOf(check), /X-Hub-Signature-256/);
  });
});

describe('Standard Webhooks', () => {
  it("accepts the specification's example", () => {
    assert.deepEqual(verifyStandard(), { ok: true, scheme: 'standard-webhooks' });
  });

  it('accepts a list of signatures of which one matches', () => {
    const others = `v1,${Buffer.alloc(32, 7).toString('base64')} v1a,${Buffer.alloc(64).toString('base64')}`;
    assert.equal(verifyStandard({ 'webhook-signature': `${others} ${SW_SIGNATURE}` }).ok, true);
    assert.equal(verifyStandard({ 'webhook-signature': `${SW_SIGNATURE} ${others}` }).ok, true);
    assert.equal(verifyStandard({ 'webhook-signature': `v1,short ${SW_SIGNATURE}` }).ok, true);
  });

  it('refuses a list in which no signature matches, saying how many it checked', () => {
    const wrong = `v1,${Buffer.alloc(32, 1).toString('base64')} v1,${Buffer.alloc(32, 2).toString('base64')}`;
    assert.equal(
      reasonOf(verifyStandard({ 'webhook-signature': wrong })),
      'no v1 signature in webhook-signature matches the body (2 checked)',
    );
  });

  it('accepts a timestamp up to five minutes old or ahead, and refuses one beyond', () => {
    const at = (seconds: number) => ({ now: new Date((SW_TIMESTAMP + seconds) * 1000) });
    assert.equal(verifyStandard({}, at(300)).ok, true);
    assert.equal(verifyStandard({}, at(-300)).ok, true);
    assert.equal(
      reasonOf(verifyStandard({}, at(301))),
      'webhook-timestamp is 301 s old; at most 300 s are allowed',
    );
    assert.equal(
      reasonOf(verifyStandard({}, at(-301))),
      'webhook-timestamp is 301 s in the future; at most 300 s are allowed',
    );
    assert.match(reasonOf(verifyStandard({}, at(86_400 * 365))), /old/);
  });

  it('refuses a tampered body, id or timestamp', () => {
    assert.match(
      reasonOf(verifyStandard({}, { body: Buffer.from('{"test": 2432232315}') })),
      /matches the body/,
    );
    assert.match(reasonOf(verifyStandard({ 'webhook-id': 'msg_other' })), /matches the body/);
    assert.match(
      reasonOf(verifyStandard({ 'webhook-timestamp': String(SW_TIMESTAMP + 1) })),
      /matches the body/,
    );
  });

  it('refuses a signature made with another secret', () => {
    const other = generateSigningSecret();
    assert.match(reasonOf(verifyStandard({}, { secret: other })), /matches the body/);
  });

  it('names each missing header', () => {
    assert.equal(
      reasonOf(verifyStandard({ 'webhook-timestamp': undefined })),
      'the Standard Webhooks header webhook-timestamp is missing',
    );
    assert.equal(
      reasonOf(verifyStandard({ 'webhook-id': '', 'webhook-signature': undefined })),
      'the Standard Webhooks headers webhook-id, webhook-signature are missing',
    );
  });

  it('refuses a timestamp that is not whole seconds', () => {
    for (const value of ['1614265330.5', '-1614265330', 'soon', '1614265330000000000']) {
      assert.match(reasonOf(verifyStandard({ 'webhook-timestamp': value })), /webhook-timestamp/);
    }
  });

  it('refuses signatures under another scheme prefix than v1', () => {
    const mac = SW_SIGNATURE.slice('v1,'.length);
    for (const value of [`v2,${mac}`, `v1a,${mac}`, mac, `v1=${mac}`, `V1,${mac}`]) {
      assert.equal(
        reasonOf(verifyStandard({ 'webhook-signature': value })),
        'webhook-signature holds no v1 signature',
        value,
      );
    }
  });

  it('reads header names in any case', () => {
    const headers = {
      'Webhook-Id': SW_ID,
      'WEBHOOK-TIMESTAMP': String(SW_TIMESTAMP),
      'Webhook-Signature': SW_SIGNATURE,
    };
    const check = verifySignature({ secret: SW_SECRET, headers, body: SW_BODY, now: SW_NOW });
    assert.equal(check.ok, true);
  });

  it('uses a secret without the whsec_ prefix as UTF-8 bytes', () => {
    const secret = 'a plain shared secret';
    const mac = createHmac('sha256', Buffer.from(secret, 'utf8'))
      .update(`${SW_ID}.${SW_TIMESTAMP}.`)
      .update(SW_BODY)
      .digest('base64');
    assert.equal(verifyStandard({ 'webhook-signature': `v1,${mac}` }, { secret }).ok, true);
    assert.equal(verifyStandard({}, { secret: SW_SECRET.slice('whsec_'.length) }).ok, false);
  });
});

describe('either scheme', () => {
  it('judges a call that carries Standard Webhooks headers by them alone, whatever GitHub header comes too', () => {
    const both = (secret: string, headers: Record<string, string>) =>
      verifySignature({
        secret,
        headers: { ...standardHeaders(), ...headers },
        body: SW_BODY,
        now: SW_NOW,
      });
    // A valid Standard Webhooks signature beside a wrong GitHub one: accepted.
    assert.deepEqual(both(SW_SECRET, { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }), {
      ok: true,
      scheme: 'standard-webhooks',
    });
    // A stale one beside a valid GitHub one: refused, for the stale timestamp alone.
    const stale = verifySignature({
      secret: SW_SECRET,
      headers: {
        ...standardHeaders(),
        'x-hub-signature-256': SW_BODY_GITHUB_SIGNATURE,
      },
      body: SW_BODY,
      now: new Date((SW_TIMESTAMP + 301) * 1000),
    });
    assert.equal(
      reasonOf(stale),
      'webhook-timestamp is 301 s old; at most 300 s are allowed',
      'a timeless GitHub signature does not excuse a stale one',
    );
  });

  it('refuses an unsigned call, naming the headers a signed handler needs', () => {
    for (const headers of [
      {},
      { 'content-type': 'application/json' },
      { 'webhook-signature': ' ' },
    ]) {
      const check = verifySignature({ secret: SW_SECRET, headers, body: SW_BODY, now: SW_NOW });
      assert.match(
        reasonOf(check),
        /^the call is not signed: .*webhook-signature.*X-Hub-Signature-256/,
      );
    }
  });

  it('refuses everything when the handler has no secret', () => {
    const check = verifySignature({
      secret: '',
      headers: standardHeaders(),
      body: SW_BODY,
      now: SW_NOW,
    });
    assert.equal(reasonOf(check), 'the handler has no signing secret');
  });

  it('never repeats a secret or a signature in a reason', () => {
    const mac = SW_SIGNATURE.slice('v1,'.length);
    const hex = GH_SIGNATURE.slice('sha256='.length);
    const reasons = [
      verifyStandard({}, { body: Buffer.from('x') }),
      verifyStandard({ 'webhook-signature': `v2,${mac}` }),
      verifyStandard({}, { now: new Date(0) }),
      verifyGitHub(GH_SIGNATURE, Buffer.from('x')),
      verifyGitHub(`sha1=${hex}`),
      verifyGitHub(`sha256=${hex}ff`),
    ].map(reasonOf);
    for (const reason of reasons) {
      for (const secret of [SW_SECRET, SW_SECRET.slice(6), GH_SECRET, mac, hex]) {
        assert.equal(reason.includes(secret), false, `${reason} repeats ${secret}`);
      }
    }
  });
});

describe('Standard Webhooks only', () => {
  const onlyStandard = (headers: Record<string, string | undefined>, body = SW_BODY) =>
    verifySignature({
      secret: SW_SECRET,
      headers,
      body,
      now: SW_NOW,
      accepts: 'standard-webhooks',
    });

  it('accepts a valid Standard Webhooks signature, with or without a GitHub one beside it', () => {
    assert.deepEqual(onlyStandard(standardHeaders()), { ok: true, scheme: 'standard-webhooks' });
    assert.deepEqual(
      onlyStandard({ ...standardHeaders(), 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }),
      { ok: true, scheme: 'standard-webhooks' },
    );
  });

  it('refuses a valid GitHub signature, saying the handler accepts Standard Webhooks only', () => {
    // The same call is accepted where any scheme is.
    assert.deepEqual(
      verifySignature({
        secret: SW_SECRET,
        headers: { 'x-hub-signature-256': SW_BODY_GITHUB_SIGNATURE },
        body: SW_BODY,
        now: SW_NOW,
      }),
      { ok: true, scheme: 'github' },
    );
    for (const headers of [
      { 'x-hub-signature-256': SW_BODY_GITHUB_SIGNATURE },
      { 'x-hub-signature': 'sha1=0000000000000000000000000000000000000000' },
    ]) {
      assert.equal(
        reasonOf(onlyStandard(headers)),
        'the call carries only a GitHub signature, which has no timestamp and could be a replay: this handler accepts Standard Webhooks signatures only (webhook-id, webhook-timestamp, webhook-signature)',
      );
    }
  });

  it('refuses a bad Standard Webhooks signature beside a valid GitHub one, and an unsigned call', () => {
    assert.match(
      reasonOf(
        onlyStandard(
          { ...standardHeaders(), 'x-hub-signature-256': SW_BODY_GITHUB_SIGNATURE },
          Buffer.from('{"test": 1}'),
        ),
      ),
      /^no v1 signature in webhook-signature matches the body/,
    );
    assert.match(
      reasonOf(onlyStandard({})),
      /^the call is not signed: this handler accepts Standard Webhooks signatures only/,
    );
  });
});

describe('generateSigningSecret', () => {
  it('is whsec_ and the base64 of 32 random bytes, and signs calls Hoist accepts', () => {
    const secrets = new Set(Array.from({ length: 20 }, generateSigningSecret));
    assert.equal(secrets.size, 20);
    for (const secret of secrets) {
      assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.equal(Buffer.from(secret.slice(6), 'base64').length, 32);
    }
    const secret = [...secrets][0]!;
    const now = new Date('2025-01-01T00:00:00Z');
    const timestamp = Math.floor(now.getTime() / 1000);
    const body = Buffer.from('{"hello":"world"}');
    const check = verifySignature({
      secret,
      headers: {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(timestamp),
        'webhook-signature': sign(secret, 'msg_1', timestamp, body),
      },
      body,
      now,
    });
    assert.deepEqual(check, { ok: true, scheme: 'standard-webhooks' });
  });
});
