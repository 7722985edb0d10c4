/**
 * callerText: what of a caller's text a reason or a log line may show. Control,
 * format and separator characters escaped, a bound with an ellipsis, and no
 * escape ever cut in half.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CALLER_TEXT_LIMIT, callerText } from '../../src/domain/caller-text.js';

describe('callerText', () => {
  it('keeps printable text as it is, accents and emoji included', () => {
    for (const text of ['docker.io/library/nginx:latest', 'café 😀', '', 'a "quoted" name']) {
      assert.equal(callerText(text), text);
    }
  });

  it('escapes control, format and line separator characters, lone surrogates and backslashes', () => {
    assert.equal(callerText('app\u0000:latest'), 'app\\u0000:latest');
    assert.equal(callerText('a\nb\r\tc\u007f\u0085'), 'a\\u000ab\\u000d\\u0009c\\u007f\\u0085');
    assert.equal(callerText('\u202eevil\u2028\u200b\ufeff'), '\\u202eevil\\u2028\\u200b\\ufeff');
    assert.equal(callerText('\ud800x\udc00'), '\\ud800x\\udc00');
    assert.equal(callerText('tag\u{e0001}'), 'tag\\u{e0001}');
    // A literal "\u0000" stays told apart from an escaped NUL.
    assert.equal(callerText('\\u0000'), '\\\\u0000');
  });

  it('cuts long text to the limit, the last character an ellipsis', () => {
    assert.equal(callerText('a'.repeat(CALLER_TEXT_LIMIT)), 'a'.repeat(CALLER_TEXT_LIMIT));
    assert.equal(
      callerText('a'.repeat(CALLER_TEXT_LIMIT + 1)),
      `${'a'.repeat(CALLER_TEXT_LIMIT - 1)}…`,
    );
    assert.equal(callerText('x'.repeat(1024 * 1024)).length, CALLER_TEXT_LIMIT);
    // 19 escapes of 6 characters fit before the ellipsis; a 20th would not.
    assert.equal(callerText('\u0000'.repeat(40)), `${'\\u0000'.repeat(19)}…`);
  });

  it('never shows more than the limit, a control character, or half an escape', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const shown = callerText(text);
        assert.ok(shown.length <= CALLER_TEXT_LIMIT, shown);
        assert.doesNotMatch(shown, /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u);
        const body = shown.endsWith('…') ? shown.slice(0, -1) : shown;
        // Every backslash starts an escape that is whole.
        assert.doesNotMatch(body.replace(/\\\\|\\u\{[0-9a-f]+\}|\\u[0-9a-f]{4}/g, ''), /\\/);
      }),
    );
  });
});
