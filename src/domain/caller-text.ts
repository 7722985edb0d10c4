/**
 * Text a caller chose (a payload's repository name, a URL part, a callback
 * host) as it may appear in a reason or a log line: control, format and line
 * separator characters (and lone surrogates) written as `\uXXXX`, a backslash
 * as `\\`, and at most CALLER_TEXT_LIMIT characters, the last one an ellipsis
 * when the text was cut. A NUL or a newline cannot break a record or a log
 * line, invisible characters cannot disguise a name, and a caller cannot make
 * a record as long as the body it sent.
 */

/** The most characters of caller text a reason or log line shows. */
export const CALLER_TEXT_LIMIT = 120;

const ESCAPED = /^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]$/u;

/**
 * @example
 * callerText('app\u0000:latest'); // 'app\\u0000:latest'
 * callerText('a'.repeat(500)); // 119 a's and '…'
 */
export function callerText(text: string): string {
  const pieces: string[] = [];
  let length = 0;
  // Stops one piece past the limit: a 1 MiB text costs no more than a short one.
  for (const char of text) {
    const piece = escaped(char);
    pieces.push(piece);
    length += piece.length;
    if (length > CALLER_TEXT_LIMIT) break;
  }
  if (length <= CALLER_TEXT_LIMIT) return pieces.join('');
  // Cut: whole pieces (never half an escape) and the ellipsis fit in the limit.
  while (pieces.length > 0 && length > CALLER_TEXT_LIMIT - 1) length -= pieces.pop()!.length;
  return `${pieces.join('')}…`;
}

function escaped(char: string): string {
  if (char === '\\') return '\\\\';
  if (!ESCAPED.test(char)) return char;
  const code = char.codePointAt(0) ?? 0;
  const hex = code.toString(16).padStart(4, '0');
  return code > 0xffff ? `\\u{${hex}}` : `\\u${hex}`;
}
