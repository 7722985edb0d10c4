/**
 * Human and script output. Tables are aligned with spaces; times are relative
 * ("3 minutes ago"); colour appears only on a terminal, never when NO_COLOR
 * is set or TERM is dumb. `--json` output is the API's own objects, indented.
 */
import type { ActionState } from './api-types.js';

export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

type Env = Record<string, string | undefined>;

export function styleFor(stream: { isTTY?: boolean }, env: Env = process.env): Style {
  const enabled = stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
  const sgr = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    enabled,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

export const out = (line = '') => void process.stdout.write(line + '\n');
export const err = (line = '') => void process.stderr.write(line + '\n');

export function printJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

// eslint-disable-next-line no-control-regex -- matching the colour codes this file writes
const ANSI = /\u001b\[[0-9;]*m/g;

const width = (text: string) => text.replace(ANSI, '').length;

/** Columns padded to their widest cell, three spaces apart (as docker prints them). */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - width(cell)),
      )
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Aligned "Key:  value" lines. */
export function details(pairs: [string, string][]): string {
  const keyWidth = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(keyWidth)}  ${v}`).join('\n');
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

/** "3 minutes ago", "just now", or `never` for null. */
export function relativeTime(iso: string | null, now = Date.now(), never = 'never'): string {
  if (!iso) return never;
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (Number.isNaN(seconds)) return iso;
  if (Math.abs(seconds) < 5) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.trunc(seconds / size), unit);
  }
  return 'just now';
}

/** 0.4s, 12.0s, 2m05s, 1h02m. */
export function duration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.floor(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

/** The first block of a UUID: enough to tell things apart, and accepted back as a prefix. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** sha256:0123456789ab… -> 0123456789ab */
export function shortDigest(digest: string | null): string {
  if (!digest) return '-';
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

export function stateText(state: ActionState, style: Style): string {
  switch (state) {
    case 'Success':
      return style.green(state);
    case 'Failed':
      return style.red(state);
    case 'In progress':
      return style.yellow(state);
    default:
      return style.dim(state);
  }
}
