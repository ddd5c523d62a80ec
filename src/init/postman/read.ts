/** A Postman export that is JSON but not an environment or collection. */
export class PostmanFormatError extends Error {
  override name = 'PostmanFormatError';
}

export interface PostmanVariable {
  key: string;
  value: string;
  enabled: boolean;
  secret: boolean;
}

/**
 * Parses the text of a Postman export. A syntax error says where, never
 * what: V8's own message quotes the text around it, which may be a secret.
 */
export function parsePostmanJson(text: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(body);
  } catch (error) {
    const position = /at position (\d+)/.exec((error as Error).message);
    if (body.trim() === '') throw new PostmanFormatError('is empty, not a Postman export');
    if (/end of JSON input/i.test((error as Error).message)) throw new PostmanFormatError('is not valid JSON: it ends before the document does (cut short?)');
    if (!position) throw new PostmanFormatError('is not valid JSON');
    const before = body.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    throw new PostmanFormatError(`is not valid JSON: syntax error at line ${line}, column ${column}`);
  }
}

function stringValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** Reads the variables of an environment export (`values`) or a collection export (`variable`). */
export function postmanVariables(document: unknown): { name?: string; variables: PostmanVariable[] } {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new PostmanFormatError('is not a Postman export: expected a JSON object with "values" (environment) or "variable" (collection)');
  }
  const record = document as Record<string, unknown>;
  const list = Array.isArray(record.values) ? record.values : Array.isArray(record.variable) ? record.variable : undefined;
  if (!list) {
    throw new PostmanFormatError('is not a Postman export: it has neither "values" (an environment) nor "variable" (a collection)');
  }
  const info = record.info as Record<string, unknown> | undefined;
  const name = typeof record.name === 'string' ? record.name : typeof info?.name === 'string' ? info.name : undefined;
  const variables = list.flatMap((entry): PostmanVariable[] => {
    if (entry === null || typeof entry !== 'object') return [];
    const item = entry as Record<string, unknown>;
    const key = typeof item.key === 'string' ? item.key : typeof item.id === 'string' ? item.id : undefined;
    if (!key) return [];
    return [{ key, value: stringValue(item.value), enabled: item.enabled !== false && item.disabled !== true, secret: item.type === 'secret' }];
  });
  return { ...(name !== undefined && { name }), variables };
}
