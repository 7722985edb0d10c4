/**
 * The media type of a Content-Type header, lower case and without parameters
 * (`application/json; charset=utf-8` is `application/json`); '' when absent.
 */
export function mediaType(contentType: string | null | undefined): string {
  if (typeof contentType !== 'string') return '';
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}
