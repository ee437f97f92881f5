/**
 * The playground's JSON schemas, checked with Ajv (the validator JupyterLab's settings use):
 * the structured output schema and tool definitions as typed, and answers against them.
 */
import Ajv, { type ErrorObject } from 'ajv';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { ResponseFormat, ToolDefinition } from '../../api/types';

// strict off: engines take schemas written for OpenAI, whose keywords Ajv's strict mode would refuse.
const ajv = new Ajv({ allErrors: true, strict: false, addUsedSchema: false, validateFormats: false });

/** OpenAI's rule for function and schema names (the server checks it too). */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface IChecked<T> {
  value: T | null;
  /** Why the text is not usable; null when it is (or is empty: off). */
  error: string | null;
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map(error => `${error.instancePath || '/'} ${error.message ?? ''}`.trim());
}

function parseJson(text: string, trans: TranslationBundle): IChecked<unknown> {
  try {
    return { value: JSON.parse(text), error: null };
  } catch (error) {
    return { value: null, error: trans.__('Not JSON: %1', (error as Error).message) };
  }
}

/** Why `schema` is not a JSON schema Ajv can compile; null when it is. */
export function schemaProblem(schema: unknown, trans: TranslationBundle): string | null {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return trans.__('A JSON schema is an object.');
  }
  try {
    ajv.compile(schema);
    return null;
  } catch (error) {
    return trans.__('Not a valid JSON schema: %1', (error as Error).message);
  }
}

/** The structured output setting: empty text is off; else a schema sent as `response_format`. */
export function parseResponseFormat(text: string, trans: TranslationBundle): IChecked<ResponseFormat> {
  if (!text.trim()) {
    return { value: null, error: null };
  }
  const parsed = parseJson(text, trans);
  if (parsed.error) {
    return { value: null, error: parsed.error };
  }
  const problem = schemaProblem(parsed.value, trans);
  if (problem) {
    return { value: null, error: problem };
  }
  return {
    value: {
      type: 'json_schema',
      json_schema: { name: 'response', schema: parsed.value as Record<string, unknown>, strict: true }
    },
    error: null
  };
}

/** Tool definitions as typed: a JSON array of OpenAI tools (`{"type": "function", "function": {...}}`). */
export function parseTools(text: string, trans: TranslationBundle): IChecked<ToolDefinition[]> {
  if (!text.trim()) {
    return { value: null, error: null };
  }
  const parsed = parseJson(text, trans);
  if (parsed.error) {
    return { value: null, error: parsed.error };
  }
  if (!Array.isArray(parsed.value) || parsed.value.length === 0) {
    return { value: null, error: trans.__('Tools are a JSON array of at least one tool.') };
  }
  const tools: ToolDefinition[] = [];
  const names = new Set<string>();
  for (const [i, item] of parsed.value.entries()) {
    const fn = (item as { function?: unknown } | null)?.function as Record<string, unknown> | undefined;
    if ((item as { type?: unknown }).type !== 'function' || typeof fn !== 'object' || fn === null) {
      return { value: null, error: trans.__('Tool %1: give {"type": "function", "function": {...}}.', i + 1) };
    }
    if (typeof fn.name !== 'string' || !FUNCTION_NAME.test(fn.name)) {
      return {
        value: null,
        error: trans.__('Tool %1: the name is 1 to 64 letters, digits, _ or - (a-z, A-Z).', i + 1)
      };
    }
    if (names.has(fn.name)) {
      return { value: null, error: trans.__('Two tools are named %1.', fn.name) };
    }
    names.add(fn.name);
    const parameters = fn.parameters ?? { type: 'object', properties: {} };
    const problem = schemaProblem(parameters, trans);
    if (problem) {
      return { value: null, error: trans.__('Tool %1 (%2) parameters: %3', i + 1, fn.name, problem) };
    }
    tools.push({
      type: 'function',
      function: {
        name: fn.name,
        ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
        parameters: parameters as Record<string, unknown>
      }
    });
  }
  return { value: tools, error: null };
}

export interface IJsonCheck {
  valid: boolean;
  /** Why not: not JSON, or where the value breaks the schema. */
  problems: string[];
}

/** Whether `text` is JSON that `schema` accepts. */
export function checkJson(text: string, schema: Record<string, unknown>, trans: TranslationBundle): IJsonCheck {
  const parsed = parseJson(text.trim(), trans);
  if (parsed.error) {
    return { valid: false, problems: [parsed.error] };
  }
  const validate = ajv.compile(schema);
  return validate(parsed.value) ? { valid: true, problems: [] } : { valid: false, problems: describe(validate.errors) };
}
