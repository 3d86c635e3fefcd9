/**
 * Every error that reaches a client or a log is made here, with a stable code.
 * Codes are part of the public contract: clients and operators key on them, so a code is never reused
 * for another meaning. Each code is documented in packages/schemas/README.md (a test checks that).
 */
export const ERROR_CODES = {
  IOC_ERR_VALIDATION: { httpStatus: 400, summary: 'The input does not match the expected shape.' },
  IOC_ERR_MALFORMED_JSON: { httpStatus: 400, summary: 'The body is not valid JSON.' },
  IOC_ERR_PAYLOAD_TOO_LARGE: { httpStatus: 413, summary: 'The body is larger than the configured limit.' },
  IOC_ERR_UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, summary: 'The body is not application/json.' },
  IOC_ERR_UNKNOWN_DEVICE: { httpStatus: 422, summary: 'The reading names a device that is not registered.' },
  IOC_ERR_TIMESTAMP_OUT_OF_RANGE: { httpStatus: 422, summary: 'The observation time is too far in the past or the future.' },
  IOC_ERR_PROPERTY_NOT_CONTROLLED: { httpStatus: 422, summary: 'The device does not measure that property.' },
  IOC_ERR_NOT_FOUND: { httpStatus: 404, summary: 'No such resource.' },
  IOC_ERR_BAD_QUERY: { httpStatus: 400, summary: 'A query parameter is missing or out of range.' },
  IOC_ERR_CONFIG: { httpStatus: 500, summary: 'The configuration file or environment is invalid.' },
  IOC_ERR_DATABASE_UNAVAILABLE: { httpStatus: 503, summary: 'The database cannot be reached; reads are unavailable.' },
  IOC_ERR_OUTBOX: { httpStatus: 503, summary: 'Accepted data could not be made durable on disk.' },
  IOC_ERR_MIGRATION: { httpStatus: 500, summary: 'A database migration failed.' },
  IOC_ERR_CAMERA_SOURCE: { httpStatus: 502, summary: 'A camera source cannot be opened or decoded.' },
  IOC_ERR_MODEL: { httpStatus: 500, summary: 'A detector model is missing, does not match its manifest, or cannot run.' },
  IOC_ERR_SHUTTING_DOWN: { httpStatus: 503, summary: 'The service is shutting down; retry on another node.' },
  IOC_ERR_RATE_LIMITED: { httpStatus: 429, summary: 'Too many requests from this client or API key; retry later.' },
  IOC_ERR_INVALID_API_KEY: { httpStatus: 403, summary: 'The api_key is unknown or revoked.' },
  IOC_ERR_PHOTO_REJECTED: { httpStatus: 415, summary: 'The uploaded photo is not a JPEG or PNG that can be decoded.' },
  IOC_ERR_INVALID_TRANSITION: { httpStatus: 409, summary: 'The change does not apply to the record in its current state.' },
  IOC_ERR_UNAUTHENTICATED: { httpStatus: 401, summary: 'Sign in first: no valid session (or API key) came with the request.' },
  IOC_ERR_BAD_CREDENTIALS: { httpStatus: 401, summary: 'The username or password is wrong, or the account is disabled.' },
  IOC_ERR_FORBIDDEN: { httpStatus: 403, summary: 'The signed-in role may not use this route.' },
  IOC_ERR_CSRF: { httpStatus: 403, summary: 'A state-changing request without the session’s X-CSRF-Token, or from another origin.' },
  IOC_ERR_INTERNAL: { httpStatus: 500, summary: 'An unexpected error; the details are in the server log.' },
} as const satisfies Record<string, { httpStatus: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One issue inside a validation error: where (dot path) and why. */
export interface FieldIssue {
  path: string;
  reason: string;
}

export class IocError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly issues: readonly FieldIssue[];

  constructor(code: ErrorCode, message: string, options: { issues?: FieldIssue[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IocError';
    this.code = code;
    this.httpStatus = ERROR_CODES[code].httpStatus;
    this.issues = options.issues ?? [];
  }

  /** The body a client sees: never a stack trace. */
  toJSON(): { error: { code: ErrorCode; message: string; issues?: FieldIssue[] } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.issues.length > 0 ? { issues: [...this.issues] } : {}),
      },
    };
  }
}

export function iocError(code: ErrorCode, message: string, options?: { issues?: FieldIssue[]; cause?: unknown }): IocError {
  return new IocError(code, message, options);
}

export function isIocError(value: unknown): value is IocError {
  return value instanceof IocError;
}
