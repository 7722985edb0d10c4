/**
 * loadConfig: the environment read once into plain settings, refused with a
 * ConfigError that names the variable and what to write instead.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CallbackPolicy } from '../../src/adapters/callbacks/callback-policy.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { readSecretFiles, SECRET_SETTINGS } from '../../src/secret-settings.js';

describe('loadConfig: Docker Hub callback settings', () => {
  it('defaults to registry.hub.docker.com over https, public addresses only', () => {
    const settings = loadConfig({}).callbacks;
    assert.deepEqual(settings.allowedHosts, ['registry.hub.docker.com']);
    assert.equal(settings.allowHttp, false);
    assert.equal(settings.allowPrivateAddresses, false);
  });

  it('reads a comma-separated host[:port] list and the two switches', () => {
    const settings = loadConfig({
      HOIST_CALLBACK_ALLOWED_HOSTS: ' registry.hub.docker.com , 127.0.0.1:8123,[::1]:9000, ',
      HOIST_CALLBACK_ALLOW_HTTP: 'true',
      HOIST_CALLBACK_ALLOW_PRIVATE: 'TRUE',
    }).callbacks;
    assert.deepEqual(settings.allowedHosts, [
      'registry.hub.docker.com',
      '127.0.0.1:8123',
      '[::1]:9000',
    ]);
    assert.equal(settings.allowHttp, true);
    assert.equal(settings.allowPrivateAddresses, true);
    assert.ok(
      new CallbackPolicy(settings).checkUrl('http://[::1]:9000/').ok,
      '[::1]:9000 is allowed',
    );
  });

  const BAD: ReadonlyArray<readonly [Record<string, string>, RegExp]> = [
    [{ HOIST_CALLBACK_ALLOWED_HOSTS: 'https://registry.hub.docker.com' }, /ALLOWED_HOSTS.*scheme/],
    [{ HOIST_CALLBACK_ALLOWED_HOSTS: '*.docker.com' }, /ALLOWED_HOSTS.*wildcard/],
    [{ HOIST_CALLBACK_ALLOWED_HOSTS: 'example.com/path' }, /ALLOWED_HOSTS.*host or host:port/],
    [{ HOIST_CALLBACK_ALLOWED_HOSTS: 'user@example.com' }, /ALLOWED_HOSTS.*host or host:port/],
    [{ HOIST_CALLBACK_ALLOWED_HOSTS: '::1' }, /ALLOWED_HOSTS.*brackets/],
    [{ HOIST_CALLBACK_ALLOWED_HOSTS: 'example.com:0' }, /ALLOWED_HOSTS.*port 0/],
    [{ HOIST_CALLBACK_ALLOWED_HOSTS: 'example.com:70000' }, /ALLOWED_HOSTS.*port 70000/],
    [{ HOIST_CALLBACK_ALLOWED_HOSTS: 'exa mple.com' }, /ALLOWED_HOSTS/],
    [{ HOIST_CALLBACK_ALLOWED_HOSTS: ' , ' }, /ALLOWED_HOSTS.*at least one host/],
    [{ HOIST_CALLBACK_ALLOW_HTTP: 'yes' }, /HOIST_CALLBACK_ALLOW_HTTP is "yes"; use true or false/],
    [
      { HOIST_CALLBACK_ALLOW_PRIVATE: '1' },
      /HOIST_CALLBACK_ALLOW_PRIVATE is "1"; use true or false/,
    ],
  ];
  for (const [env, message] of BAD) {
    it(`refuses ${JSON.stringify(env)}`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    });
  }
});

describe('HOIST_DRAIN_SECONDS', () => {
  it('defaults to 3 s and takes 0 to 300', () => {
    assert.equal(loadConfig({}).drainSeconds, 3);
    assert.equal(loadConfig({ HOIST_DRAIN_SECONDS: '0' }).drainSeconds, 0);
    assert.equal(loadConfig({ HOIST_DRAIN_SECONDS: '300' }).drainSeconds, 300);
  });

  it('refuses anything else, saying what it takes', () => {
    for (const raw of ['-1', '301', '1.5', 'soon']) {
      assert.throws(
        () => loadConfig({ HOIST_DRAIN_SECONDS: raw }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message ===
            `HOIST_DRAIN_SECONDS is "${raw}"; it must be a whole number from 0 to 300.`,
      );
    }
  });
});

describe('loadConfig: metrics, log format and TLS', () => {
  const TOKEN = 'a-metrics-token-0123456789';

  it('serves no /metrics by default; a token alone turns it on; HOIST_METRICS decides when set', () => {
    assert.deepEqual({ ...loadConfig({}).metrics }, { enabled: false, token: null });
    assert.deepEqual(
      { ...loadConfig({ HOIST_METRICS_TOKEN: TOKEN }).metrics },
      { enabled: true, token: TOKEN },
    );
    assert.deepEqual(
      { ...loadConfig({ HOIST_METRICS: 'true' }).metrics },
      { enabled: true, token: null },
    );
    assert.equal(
      loadConfig({ HOIST_METRICS: 'FALSE', HOIST_METRICS_TOKEN: TOKEN }).metrics.enabled,
      false,
    );
  });

  it('refuses a short metrics token without repeating it', () => {
    const weak = 'changeme';
    assert.throws(
      () => loadConfig({ HOIST_METRICS_TOKEN: weak }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /HOIST_METRICS_TOKEN must be at least 16 characters/.test(error.message) &&
        !error.message.includes(weak),
    );
    assert.throws(
      () => loadConfig({ HOIST_METRICS: 'yes' }),
      /HOIST_METRICS is "yes"; use true or false/,
    );
  });

  it('reads HOIST_LOG_FORMAT: auto by default, json or pretty', () => {
    assert.equal(loadConfig({}).logFormat, 'auto');
    assert.equal(loadConfig({ HOIST_LOG_FORMAT: 'pretty' }).logFormat, 'pretty');
    assert.equal(loadConfig({ HOIST_LOG_FORMAT: 'JSON' }).logFormat, 'json');
    assert.throws(
      () => loadConfig({ HOIST_LOG_FORMAT: 'text' }),
      /HOIST_LOG_FORMAT is "text"; use one of auto, json, pretty/,
    );
  });

  it('takes both TLS files or neither; with them, printed URLs start with https://', () => {
    assert.equal(loadConfig({ HOIST_PORT: '8443' }).tls, undefined);
    const config = loadConfig({
      HOIST_PORT: '8443',
      HOIST_TLS_CERT_FILE: 'tls/cert.pem',
      HOIST_TLS_KEY_FILE: '/etc/hoist/key.pem',
    });
    assert.deepEqual(
      { ...config.tls },
      { certFile: path.resolve('tls/cert.pem'), keyFile: '/etc/hoist/key.pem' },
    );
    assert.equal(config.publicUrl, 'https://localhost:8443');
    assert.equal(
      loadConfig({
        HOIST_TLS_CERT_FILE: 'c.pem',
        HOIST_TLS_KEY_FILE: 'k.pem',
        HOIST_PUBLIC_URL: 'https://hoist.example.com',
      }).publicUrl,
      'https://hoist.example.com',
    );
    assert.throws(
      () => loadConfig({ HOIST_TLS_CERT_FILE: 'c.pem' }),
      /HOIST_TLS_CERT_FILE is set but HOIST_TLS_KEY_FILE is not/,
    );
    assert.throws(
      () => loadConfig({ HOIST_TLS_KEY_FILE: 'k.pem' }),
      /HOIST_TLS_KEY_FILE is set but HOIST_TLS_CERT_FILE is not/,
    );
  });
});

describe('loadConfig: <NAME>_FILE for settings that hold a secret', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hoist-secrets-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  /** A file holding `content`, as a Docker secret would be mounted. */
  const secretFile = (content: string) => {
    const file = path.join(dir, `secret-${++n}`);
    writeFileSync(file, content);
    return file;
  };
  const configError = (message: RegExp) => (error: unknown) =>
    error instanceof ConfigError && message.test(error.message);

  for (const name of SECRET_SETTINGS) {
    it(`reads ${name} from ${name}_FILE, without one trailing newline`, () => {
      const env = readSecretFiles({ [`${name}_FILE`]: secretFile('s3cret value\n') });
      assert.equal(env[name], 's3cret value');
    });
  }

  it('takes off one trailing newline only (LF or CRLF), never other whitespace', () => {
    const [name] = SECRET_SETTINGS as [string];
    const read = (content: string) =>
      readSecretFiles({ [`${name}_FILE`]: secretFile(content) })[name];
    assert.equal(read('a b \n\n'), 'a b \n');
    assert.equal(read('token\r\n'), 'token');
    assert.equal(read(' token'), ' token');
  });

  it('runs inside loadConfig: HOIST_DATABASE_URL from its file is refused as if set directly', () => {
    assert.throws(
      () => loadConfig({ HOIST_DATABASE_URL_FILE: secretFile('postgres://hoist:pw@db/hoist\n') }),
      configError(/^HOIST_DATABASE_URL is set, but this version of Hoist only stores/),
    );
  });

  it('refuses NAME and NAME_FILE both set, naming both and quoting neither value', () => {
    const file = secretFile('from-file');
    assert.throws(
      () => loadConfig({ HOIST_METRICS_TOKEN: 'from-env', HOIST_METRICS_TOKEN_FILE: file }),
      (error: unknown) =>
        configError(/HOIST_METRICS_TOKEN and HOIST_METRICS_TOKEN_FILE are both set/)(error) &&
        !/from-env|from-file/.test((error as Error).message),
    );
  });

  it('refuses a file it cannot read, or an empty one, naming the variable and the path', () => {
    const missing = path.join(dir, 'missing');
    assert.throws(
      () => loadConfig({ HOIST_METRICS_TOKEN_FILE: missing }),
      configError(
        new RegExp(
          `^HOIST_METRICS_TOKEN_FILE is "${missing}", which Hoist cannot read \\(ENOENT\\)`,
        ),
      ),
    );
    assert.throws(
      () => loadConfig({ HOIST_METRICS_TOKEN_FILE: secretFile('\n') }),
      configError(/^HOIST_METRICS_TOKEN_FILE is ".*", which is empty/),
    );
  });

  it('leaves _FILE of a setting that holds no secret alone', () => {
    assert.equal(loadConfig({ HOIST_PORT_FILE: secretFile('9999') }).port, 8080);
  });
});
