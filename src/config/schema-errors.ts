import type { ErrorObject } from 'ajv';
import { formatPath } from './parse.js';
import type { ConfigPath, ParsedConfig } from './types.js';
import { closest } from '../text/closest.js';

/**
 * What kind of problem: stable, for scripts (config.schema's code is its
 * first problem's). `unknown-key`: a key the schema does not allow;
 * `missing-field`: a required key, or one the chosen options require, is
 * absent; `not-allowed-value`: a value outside the allowed set;
 * `wrong-type`: a value of the wrong type; `wrong-format`: a string not in
 * the expected form; `empty-value`: an empty string; `too-few-items`: a list
 * shorter than allowed; `invalid-value`: any other schema rule.
 */
export type SchemaProblemCode =
  | 'unknown-key'
  | 'missing-field'
  | 'not-allowed-value'
  | 'wrong-type'
  | 'wrong-format'
  | 'empty-value'
  | 'too-few-items'
  | 'invalid-value';

/** One problem a person can act on. */
export interface SchemaProblem {
  code: SchemaProblemCode;
  path: string;
  line?: number;
  column?: number;
  message: string;
  /** What to do about this problem: one imperative sentence, no final stop. */
  hint: string;
  /** A likely intended key or value (a typo's correction). */
  suggestion?: string;
  suggests?: 'key' | 'value';
}

function pointerToPath(pointer: string): ConfigPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

const SENSITIVE_FIELD = /secret|passphrase|password|privatekey|token/i;

function shownValue(path: ConfigPath, value: unknown): string {
  const last = String(path[path.length - 1] ?? '');
  if (SENSITIVE_FIELD.test(last)) return '(value not shown)';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A key as a message quotes it: a pasted blob as a key is shortened, not echoed whole. */
function shownKey(key: string): string {
  return key.length > 60 ? `"${key.slice(0, 57)}..." (${key.length} characters)` : `"${key}"`;
}

function describePath(path: ConfigPath): string {
  return path.length === 0 ? 'the config' : formatPath(path);
}

function valueAt(data: unknown, path: ConfigPath): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function listOf(values: readonly unknown[]): string {
  return values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(', ');
}

/** Messages for the requirements the schema adds through if/then. */
function conditionalRequirement(parent: ConfigPath, property: string, data: unknown): string | undefined {
  const at = formatPath(parent);
  if (at === '' && property === 'signing') {
    return 'client.authMethod is private_key_jwt, which needs a signing section (certificate, privateKey, algorithm)';
  }
  if (at === 'client' && property === 'secret') {
    const method = String(valueAt(data, ['client', 'authMethod']));
    return `client.authMethod is ${method}, which needs client.secret (write it as \${VAR}, never inline)`;
  }
  if (at === '' && property === 'endpoints') return 'profile custom needs endpoints.token, endpoints.jwks and endpoints.api';
  if (at === 'endpoints') return `profile custom needs endpoints.${property}`;
  if (at === '' && property === 'organisationId') {
    return 'the thredd profile needs organisationId: it is part of the JWKS URL';
  }
  return undefined;
}

/**
 * Turns ajv's errors into one problem per cause: unknown keys with a
 * suggestion, missing keys, wrong values with the allowed ones. Branch noise
 * (`if`, `anyOf` alternatives) is folded into the problem it explains.
 */
export function describeSchemaErrors(errors: readonly ErrorObject[], config: ParsedConfig): SchemaProblem[] {
  const problems = new Map<string, SchemaProblem>();
  const missingKeys = new Map<string, string>();
  const typos: { parent: string; suggestion: string }[] = [];
  const add = (
    code: SchemaProblemCode,
    path: ConfigPath,
    message: string,
    hint: string,
    options: { key?: boolean; suggestion?: string; suggests?: 'key' | 'value' } = {},
  ): string => {
    const location = config.locate(path, { key: options.key });
    const id = `${formatPath(path)}|${message}`;
    if (problems.has(id)) return id;
    problems.set(id, {
      code,
      path: formatPath(path),
      line: location?.line,
      column: location?.column,
      message,
      hint,
      ...(options.suggestion !== undefined && { suggestion: options.suggestion, suggests: options.suggests }),
    });
    return id;
  };

  // An anyOf failure explains its alternatives' failures at the same place.
  const anyOfAt = new Set(errors.filter((error) => error.keyword === 'anyOf').map((error) => error.instancePath));

  for (const error of errors) {
    const path = pointerToPath(error.instancePath);
    const where = describePath(path);
    const value = valueAt(config.data, path);
    switch (error.keyword) {
      case 'if':
        break;
      case 'anyOf': {
        const last = String(path[path.length - 1]);
        const message =
          last === 'region'
            ? `region must be 0 (Default), 1 (EMEA) or 2 (APAC), or a \${VAR}; got ${shownValue(path, value)}`
            : `${where} has an unexpected value ${shownValue(path, value)}`;
        add('not-allowed-value', path, message, last === 'region' ? 'Write the region as its number: 0, 1 or 2' : `Set ${where} to one of the allowed values`);
        break;
      }
      case 'additionalProperties': {
        const key = String((error.params as { additionalProperty: string }).additionalProperty);
        const allowed = Object.keys(((error.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object);
        const suggestion = closest(key, allowed);
        const scope = path.length === 0 ? 'at the top level' : `in ${where}`;
        const tail = suggestion ? `; did you mean "${suggestion}"?` : allowed.length > 0 ? `; allowed keys: ${allowed.join(', ')}` : '';
        const hint = suggestion ? `Rename the key ${key} to ${suggestion}` : `Remove the key ${shownKey(key)}, or move it to where it belongs`;
        add('unknown-key', [...path, key], `unknown key ${shownKey(key)} ${scope}${tail}`, hint, { key: true, suggestion, suggests: 'key' });
        if (suggestion) typos.push({ parent: formatPath(path), suggestion });
        break;
      }
      case 'required': {
        const property = (error.params as { missingProperty: string }).missingProperty;
        const special = error.schemaPath.includes('/then') || error.schemaPath.includes('/else')
          ? conditionalRequirement(path, property, config.data)
          : undefined;
        const hint = `Add the key ${formatPath([...path, property])}`;
        missingKeys.set(`${formatPath(path)}|${property}`, add('missing-field', path, special ?? `${where} is missing the required key "${property}"`, hint, { key: true }));
        break;
      }
      case 'enum':
      case 'const': {
        if (anyOfAt.has(error.instancePath)) break;
        const allowed = error.keyword === 'enum'
          ? ((error.params as { allowedValues: unknown[] }).allowedValues ?? [])
          : [(error.params as { allowedValue: unknown }).allowedValue];
        const suggestion = typeof value === 'string' ? closest(value, allowed.map(String)) : undefined;
        const tail = suggestion ? `; did you mean "${suggestion}"?` : '';
        const hint = `Set ${where} to ${suggestion ?? (allowed.length === 1 ? listOf(allowed) : `one of ${listOf(allowed)}`)}`;
        add('not-allowed-value', path, `${where} must be one of ${listOf(allowed)}; got ${shownValue(path, value)}${tail}`, hint, { suggestion, suggests: 'value' });
        break;
      }
      case 'type': {
        if (anyOfAt.has(error.instancePath)) break;
        const expected = (error.params as { type: string }).type;
        const actual = value === null ? 'null (empty)' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : typeof value;
        const wanted = expected === 'object' ? 'a mapping of keys' : expected === 'array' ? 'a list' : `a ${expected}`;
        add('wrong-type', path, `${where} must be ${wanted}; got ${actual}`, `Write ${where} as ${wanted}`);
        break;
      }
      case 'pattern': {
        if (anyOfAt.has(error.instancePath)) break;
        const last = String(path[path.length - 1]);
        if (last === 'path') add('wrong-format', path, `${where} must start with "/"; got ${shownValue(path, value)}`, `Start ${where} with "/"`);
        else add('wrong-format', path, `${where} is not in the expected form; got ${shownValue(path, value)}`, `Write ${where} in the expected form`);
        break;
      }
      case 'minLength':
        add('empty-value', path, `${where} must not be empty`, `Give ${where} a value`);
        break;
      case 'minItems':
        add('too-few-items', path, `${where} must list at least ${(error.params as { limit: number }).limit} item(s)`, `Add items to ${where}`);
        break;
      default:
        if (anyOfAt.has(error.instancePath)) break;
        add('invalid-value', path, `${where} ${error.message ?? 'is not valid'}; got ${shownValue(path, value)}`, `Change ${where} to meet that rule`);
    }
  }
  // A misspelt key shows up twice: as an unknown key and as the required
  // key it was meant to be. Keep the one that names the typo.
  for (const { parent, suggestion } of typos) {
    const id = missingKeys.get(`${parent}|${suggestion}`);
    if (id !== undefined) problems.delete(id);
  }
  return [...problems.values()].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
