/**
 * Errors thrown by rangetile: plain JavaScript `Error`s whose `name` is a tag you can
 * branch on (`e.name === 'NotFound'`), with typed fields carrying the data (status, url,
 * sizes) instead of prose to parse. The tags are the same as the Rust `ErrorKind`s.
 *
 * @module
 */

/** Every `name` a rangetile error can have. */
export type RangetileErrorName =
  /** The object does not exist (HTTP 404). */
  | 'NotFound'
  /** The server ignored `Range` (answered 200 instead of 206) or cannot serve ranges. */
  | 'RangeNotSupported'
  /** Any other HTTP or transport failure: 403, 416, 5xx after retries, a bad
   * `Content-Range`, a truncated body, a network error. */
  | 'Http'
  /** The bytes or the metadata do not follow the format. */
  | 'Format'
  /** A codec this build does not implement. */
  | 'UnsupportedCodec'
  /** A format feature this build does not implement. */
  | 'Unsupported'
  /** A size, count or dimension above a configured limit. */
  | 'LimitExceeded'
  /** The caller's `AbortSignal` fired, or a timeout. */
  | 'Aborted'
  /** A checksum carried by the data does not match. */
  | 'Checksum'
  /** An invalid argument (a reversed range, a selection out of bounds). */
  | 'InvalidArgument'
  /** A decode worker died while running the job (it has been replaced). */
  | 'WorkerCrashed';

/** All tags, e.g. for exhaustive tests. */
export const ERROR_NAMES: readonly RangetileErrorName[] = [
  'NotFound',
  'RangeNotSupported',
  'Http',
  'Format',
  'UnsupportedCodec',
  'Unsupported',
  'LimitExceeded',
  'Aborted',
  'Checksum',
  'InvalidArgument',
  'WorkerCrashed',
];

/**
 * A rangetile error. Which fields are set depends on the error: HTTP errors carry
 * `url` and `status`, limit errors `what`, `requested` and `max`, and so on.
 */
export interface RangetileError extends Error {
  name: RangetileErrorName;
  /** A finer-grained variant of the error in the Rust layer, e.g. `"NotPartial"`,
   * `"BadContentRange"`, `"Truncated"`, `"RangeNotSatisfiable"`, `"Network"`. */
  kind?: string;
  /** The URL of the request that failed. */
  url?: string;
  /** The HTTP status the server answered. */
  status?: number;
  /** What a limit was about, e.g. `"whole download bytes"`. */
  what?: string;
  /** What the input or the server asked for (bytes, count). */
  requested?: number;
  /** The configured maximum. */
  max?: number;
  /** The expected value (a Content-Range, a byte count). */
  expected?: string | number;
  /** What was received instead. */
  got?: string | number | null;
  /** The requested range, as an HTTP `Range` value (`bytes=0-99`). */
  range?: string;
}

/** Whether `e` is an error thrown by rangetile (optionally: with this `name`). */
export function isRangetileError(e: unknown, name?: RangetileErrorName): e is RangetileError {
  if (!(e instanceof Error) || !(ERROR_NAMES as readonly string[]).includes(e.name)) return false;
  return name === undefined || e.name === name;
}
