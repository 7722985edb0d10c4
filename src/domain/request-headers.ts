/**
 * Header look-up by name without regard to case, as HTTP defines it: Node
 * lowers the names it receives, a caller building headers by hand may not.
 * A header that is absent or blank reads as null; values are trimmed.
 */
export type HeaderReader = (name: string) => string | null;

export function headerReader(headers: Record<string, string | undefined>): HeaderReader {
  const lowered = new Map<string, string>();
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') lowered.set(name.toLowerCase(), value);
  }
  return (name) => {
    const value = lowered.get(name.toLowerCase())?.trim();
    return value ? value : null;
  };
}
