/** Docker's multiplexed log stream (8-byte frame headers) to plain text; raw text passes through. */
export function demultiplex(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    if (offset + 8 > buffer.length) return buffer.toString('utf8');
    const kind = buffer[offset]!;
    const size = buffer.readUInt32BE(offset + 4);
    if (kind > 2 || buffer[offset + 1] !== 0 || offset + 8 + size > buffer.length) {
      return buffer.toString('utf8');
    }
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
