/** Thredd's API error body: `{ type, title, status, traceId, errors }`. */
export interface ThreddError {
  type?: string;
  title?: string;
  status?: number;
  traceId?: string;
  errors?: Record<string, string[]>;
}

/** The members of Thredd's error shape a parsed JSON object holds, else undefined. */
export function threddErrorOf(value: Record<string, unknown>): ThreddError | undefined {
  const error: ThreddError = {};
  if (typeof value.type === 'string') error.type = value.type;
  if (typeof value.title === 'string') error.title = value.title;
  if (typeof value.status === 'number') error.status = value.status;
  if (typeof value.traceId === 'string') error.traceId = value.traceId;
  if (value.errors && typeof value.errors === 'object' && !Array.isArray(value.errors)) {
    error.errors = Object.fromEntries(
      Object.entries(value.errors as Record<string, unknown>).map(([field, messages]) => [
        field,
        (Array.isArray(messages) ? messages : [messages]).map(String),
      ]),
    );
  }
  return Object.keys(error).length > 0 ? error : undefined;
}

/** `field: message; field: message` from a Thredd error's `errors`. */
export function summariseErrors(error: ThreddError | undefined): string | undefined {
  if (!error?.errors) return undefined;
  const parts = Object.entries(error.errors).flatMap(([field, messages]) => messages.map((message) => `${field}: ${message}`));
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** Response headers that identify a request to support. */
export const TRACE_HEADERS = ['traceparent', 'x-request-id', 'x-correlation-id', 'x-trace-id', 'request-id', 'x-amzn-requestid'];
