/** A call of a secret URL as the call path sees it: no framework types. */
export interface IncomingCall {
  remoteAddress: string | null;
  userAgent: string | null;
  contentType: string | null;
  body: Buffer | null;
  /** Lower-case names: signatures and delivery ids travel in headers. */
  headers: Record<string, string | undefined>;
}
