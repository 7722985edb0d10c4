/**
 * The callback allow-list's pure decisions: which URLs may be called at all
 * (the SSRF table) and which resolved addresses may be connected to. How the
 * environment configures it is in config.test.ts. No network.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  AddressKind,
  CallbackTarget,
  UrlRefusalKind,
} from '../../src/adapters/callbacks/callback-policy.js';
import { CALLER_TEXT_LIMIT } from '../../src/domain/caller-text.js';
import {
  CallbackPolicy,
  classifyAddress,
  describeOrigin,
} from '../../src/adapters/callbacks/callback-policy.js';

const hub = new CallbackPolicy();
const hubWithHttp = new CallbackPolicy({ allowHttp: true });
const local = new CallbackPolicy({
  allowedHosts: ['127.0.0.1:8123', '[::1]:9000', 'localhost', 'hooks.example.com:8443'],
  allowHttp: true,
  allowPrivateAddresses: true,
});

/** [url, policy, expected refusal, why it is in the table] */
const REFUSED: ReadonlyArray<readonly [string, CallbackPolicy, UrlRefusalKind, string]> = [
  // Schemes.
  ['ftp://registry.hub.docker.com/', hub, 'scheme', 'ftp'],
  ['file:///etc/passwd', hub, 'scheme', 'file'],
  ['gopher://registry.hub.docker.com:70/_POST', hub, 'scheme', 'gopher smuggling'],
  ['javascript:alert(1)', hub, 'scheme', 'javascript'],
  ['data:text/plain,hi', hub, 'scheme', 'data'],
  ['ws://registry.hub.docker.com/', hubWithHttp, 'scheme', 'websocket'],
  // Not a URL at all.
  ['//registry.hub.docker.com/', hub, 'invalid_url', 'scheme-relative'],
  ['registry.hub.docker.com/hook', hub, 'invalid_url', 'no scheme'],
  ['https://registry.hub.docker.com%00.evil.example/', hub, 'invalid_url', 'NUL in host'],
  ['https://registry.hub.docker.com:65536/', hub, 'invalid_url', 'port out of range'],
  ['', hub, 'invalid_url', 'empty'],
  // Plain http without allowHttp.
  ['http://registry.hub.docker.com/', hub, 'http_not_allowed', 'http by default'],
  // Userinfo tricks.
  ['https://registry.hub.docker.com@evil.example/', hub, 'userinfo', 'allowed host as user name'],
  ['https://user:pass@registry.hub.docker.com/', hub, 'userinfo', 'credentials'],
  ['https://registry.hub.docker.com%2f@evil.example/', hub, 'userinfo', 'encoded slash in user'],
  ['https://:@registry.hub.docker.com/', hub, 'userinfo', 'empty userinfo the parser drops'],
  ['https://registry.hub.docker.com:443@evil.example/', hub, 'userinfo', 'host:port as userinfo'],
  // Hosts that only look allowed.
  ['https://registry.hub.docker.com.evil.example/', hub, 'host_not_allowed', 'suffix'],
  ['https://evilregistry.hub.docker.com/', hub, 'host_not_allowed', 'prefix'],
  ['https://evil.registry.hub.docker.com/', hub, 'host_not_allowed', 'subdomain'],
  ['https://hub.docker.com/', hub, 'host_not_allowed', 'parent domain'],
  ['https://registry.hub.docker.co/', hub, 'host_not_allowed', 'near miss'],
  ['https://registry.hub.docker.com../', hub, 'host_not_allowed', 'two trailing dots'],
  ['https://registry.hub.docker.com。evil.example/', hub, 'host_not_allowed', 'ideographic dot'],
  ['https://registry.hub.docker.com\n.evil.example/', hub, 'host_not_allowed', 'newline stripped'],
  ['https://evil.example\\@registry.hub.docker.com/', hub, 'host_not_allowed', 'backslash'],
  ['https://evil.example#@registry.hub.docker.com', hub, 'host_not_allowed', 'fragment @'],
  ['https://evil.example?@registry.hub.docker.com/', hub, 'host_not_allowed', 'query @'],
  ['https://localhost/', hub, 'host_not_allowed', 'localhost'],
  ['https://metadata.google.internal/', hub, 'host_not_allowed', 'GCP metadata name'],
  ['https://127.0.0.1.nip.io/', hub, 'host_not_allowed', 'wildcard DNS to loopback'],
  // IP literals in every spelling.
  ['https://127.0.0.1/', hub, 'ip_literal', 'loopback'],
  ['http://2130706433/', hubWithHttp, 'ip_literal', 'decimal loopback'],
  ['https://0x7f.1/', hub, 'ip_literal', 'hex loopback'],
  ['https://0x7f000001/', hub, 'ip_literal', 'hex integer loopback'],
  ['https://017700000001/', hub, 'ip_literal', 'octal loopback'],
  ['https://127.1/', hub, 'ip_literal', 'short loopback'],
  ['https://0/', hub, 'ip_literal', '0 = 0.0.0.0'],
  ['https://0300.0250.0.1/', hub, 'ip_literal', 'octal 192.168.0.1'],
  ['https://169.254.169.254/latest/meta-data/', hub, 'ip_literal', 'cloud metadata'],
  ['https://[::1]/', hub, 'ip_literal', 'IPv6 loopback'],
  ['https://[::ffff:127.0.0.1]/', hub, 'ip_literal', 'IPv4-mapped loopback'],
  ['http://[0:0:0:0:0:ffff:a9fe:a9fe]/', hubWithHttp, 'ip_literal', 'mapped metadata'],
  ['https://[fe80::1]/', hub, 'ip_literal', 'IPv6 link-local'],
  ['https://8.8.8.8/', hub, 'ip_literal', 'public, but still a literal'],
  ['http://127.0.0.2:8123/', local, 'ip_literal', 'neighbour of an allow-listed literal'],
  ['http://[::2]:9000/', local, 'ip_literal', 'neighbour of an allow-listed IPv6 literal'],
  // Ports.
  ['https://registry.hub.docker.com:8443/', hub, 'port_not_allowed', 'other port'],
  ['https://registry.hub.docker.com:80/', hub, 'port_not_allowed', 'http port over https'],
  ['https://registry.hub.docker.com:0/', hub, 'port_not_allowed', 'port 0'],
  ['http://127.0.0.1/', local, 'port_not_allowed', 'listed literal, unlisted port'],
  ['http://2130706433:22/', local, 'port_not_allowed', 'decimal form, unlisted port'],
  ['https://hooks.example.com/', local, 'port_not_allowed', 'entry names 8443 only'],
  ['http://localhost:6379/', local, 'port_not_allowed', 'redis on a listed name'],
];

describe('CallbackPolicy.checkUrl refuses', () => {
  for (const [url, policy, kind, why] of REFUSED) {
    it(`${why}: ${JSON.stringify(url)} -> ${kind}`, () => {
      const check = policy.checkUrl(url);
      assert.equal(check.ok, false, `${url} must be refused`);
      if (check.ok) return;
      assert.equal(check.kind, kind, check.reason);
      assert.ok(check.reason.length > 0, 'a refusal says why');
    });
  }
});

/** [url, policy, host, port, path] */
const ALLOWED: ReadonlyArray<readonly [string, CallbackPolicy, string, number, string]> = [
  [
    'https://registry.hub.docker.com/u/a/b/hook/abc/',
    hub,
    'registry.hub.docker.com',
    443,
    '/u/a/b/hook/abc/',
  ],
  ['https://REGISTRY.Hub.Docker.COM./x', hub, 'registry.hub.docker.com', 443, '/x'],
  ['https://registry.hub.docker.com:443/x?t=1', hub, 'registry.hub.docker.com', 443, '/x?t=1'],
  ['https://ｒｅｇｉｓｔｒｙ.hub.docker.com/', hub, 'registry.hub.docker.com', 443, '/'],
  [
    'https://registry.hub.docker.com\\@evil.example/',
    hub,
    'registry.hub.docker.com',
    443,
    '/@evil.example/',
  ],
  ['http://registry.hub.docker.com/', hubWithHttp, 'registry.hub.docker.com', 80, '/'],
  ['http://127.0.0.1:8123/cb', local, '127.0.0.1', 8123, '/cb'],
  ['http://2130706433:8123/cb', local, '127.0.0.1', 8123, '/cb'],
  ['http://[::1]:9000/', local, '::1', 9000, '/'],
  ['https://localhost/', local, 'localhost', 443, '/'],
  ['http://LOCALHOST./', local, 'localhost', 80, '/'],
  ['https://hooks.example.com:8443/x', local, 'hooks.example.com', 8443, '/x'],
];

describe('CallbackPolicy.checkUrl allows', () => {
  for (const [url, policy, host, port, path] of ALLOWED) {
    it(JSON.stringify(url), () => {
      const check = policy.checkUrl(url);
      assert.ok(check.ok, JSON.stringify(check));
      assert.equal(check.target.host, host);
      assert.equal(check.target.port, port);
      assert.equal(check.target.path, path);
    });
  }
});

describe('refusal reasons', () => {
  it('show scheme://host, never the path, query, fragment or credentials', () => {
    const check = hub.checkUrl(
      'https://registry.hub.docker.com:8443/hook/x-SECRET?token=SECRET#frag',
    );
    assert.ok(!check.ok, JSON.stringify(check));
    assert.match(check.reason, /^https:\/\/registry\.hub\.docker\.com:8443 uses port 8443/);
    assert.doesNotMatch(check.reason, /SECRET|frag|\/hook/);

    const creds = hub.checkUrl('https://user:hunter2@registry.hub.docker.com/');
    assert.ok(!creds.ok, JSON.stringify(creds));
    assert.doesNotMatch(creds.reason, /hunter2|user:/);
  });

  it('name the host and the allow-list', () => {
    const check = hub.checkUrl('https://evil.example/');
    assert.ok(!check.ok, JSON.stringify(check));
    assert.match(check.reason, /evil\.example is not on the callback allow-list/);
    assert.match(check.reason, /registry\.hub\.docker\.com/);
  });

  it('describeOrigin keeps scheme and host only: paths, queries and userinfo can hold secrets', () => {
    assert.equal(
      describeOrigin(new URL('https://u:p@h.example:8443/a/b?q=1#f')),
      'https://h.example:8443',
    );
  });

  it('shows a long host a payload chose bounded, in the origin and in the refusal', () => {
    const host = `${'a'.repeat(60)}.`.repeat(30) + 'example';
    const origin = describeOrigin(new URL(`https://${host}/hook`));
    assert.equal(origin.length, CALLER_TEXT_LIMIT);
    assert.ok(origin.startsWith('https://aaa') && origin.endsWith('…'), origin);
    const check = hub.checkUrl(`https://${host}/hook`);
    assert.equal(check.ok, false);
    const reason = check.ok ? '' : check.reason;
    assert.ok(!reason.includes(host), 'the whole host is not copied');
    assert.match(reason, /^a{60}\.a+… is not on the callback allow-list/);
  });
});

const ADDRESSES: ReadonlyArray<readonly [string, AddressKind | null]> = [
  ['8.8.8.8', 'public'],
  ['52.1.2.3', 'public'],
  ['2606:4700:4700::1111', 'public'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.1', 'public'],
  ['192.168.1.1', 'private'],
  ['fc00::1', 'private'],
  ['fd00:ec2::254', 'private'],
  ['169.254.169.254', 'link-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['100.64.0.1', 'shared'],
  ['100.100.100.200', 'shared'],
  ['100.128.0.1', 'public'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['::', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['ff02::1', 'multicast'],
  ['255.255.255.255', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:8.8.8.8', 'public'],
  ['::127.0.0.1', 'loopback'],
  ['::8.8.8.8', 'reserved'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::8.8.8.8', 'public'],
  ['2002:7f00:1::1', 'loopback'],
  ['2002:c0a8:101::1', 'private'],
  ['registry.hub.docker.com', null],
];

describe('classifyAddress', () => {
  for (const [address, kind] of ADDRESSES) {
    it(`${address} is ${kind ?? 'not an IP'}`, () => assert.equal(classifyAddress(address), kind));
  }
});

describe('CallbackPolicy.checkAddresses', () => {
  const target = (host: string): CallbackTarget => {
    const check = new CallbackPolicy({ allowedHosts: [host] }).checkUrl(`https://${host}/`);
    assert.ok(check.ok, JSON.stringify(check));
    return check.target;
  };

  it('refuses when any one resolved address is not public', () => {
    const check = hub.checkAddresses(target('registry.hub.docker.com'), ['52.1.2.3', '10.0.0.7']);
    assert.ok(!check.ok, JSON.stringify(check));
    assert.equal(check.kind, 'private_address');
    assert.match(check.reason, /registry\.hub\.docker\.com resolves to 10\.0\.0\.7, a private/);
  });

  it('says metadata for link-local and names mapped forms', () => {
    const check = hub.checkAddresses(target('registry.hub.docker.com'), ['::ffff:a9fe:a9fe']);
    assert.ok(!check.ok, JSON.stringify(check));
    assert.match(check.reason, /::ffff:a9fe:a9fe, a link-local address \(where cloud metadata/);
  });

  it('allows public addresses', () => {
    assert.deepEqual(hub.checkAddresses(target('registry.hub.docker.com'), ['52.1.2.3']), {
      ok: true,
    });
  });

  it('allows anything for allow-listed hosts when allowPrivateAddresses', () => {
    const check = local.checkUrl('http://127.0.0.1:8123/');
    assert.ok(check.ok, JSON.stringify(check));
    assert.deepEqual(local.checkAddresses(check.target, ['127.0.0.1']), { ok: true });
  });

  it('still refuses an allow-listed loopback literal without allowPrivateAddresses', () => {
    const policy = new CallbackPolicy({ allowedHosts: ['127.0.0.1:8123'], allowHttp: true });
    const check = policy.checkUrl('http://127.0.0.1:8123/');
    assert.ok(check.ok, JSON.stringify(check));
    const verdict = policy.checkAddresses(check.target, ['127.0.0.1']);
    assert.ok(!verdict.ok, JSON.stringify(verdict));
    assert.match(verdict.reason, /^127\.0\.0\.1 is a loopback address/);
  });
});

describe('CallbackPolicy entries', () => {
  it('the constructor refuses a bad entry too', () => {
    assert.throws(() => new CallbackPolicy({ allowedHosts: ['http://x'] }), /scheme/);
  });
});
