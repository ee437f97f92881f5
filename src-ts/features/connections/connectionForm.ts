/**
 * The create/edit form of a connection: its state, built from a connection's
 * detail (the secret never: the server does not send it, and the form never
 * holds one it did not get from the user), and the request bodies it sends.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type {
  ConnectionAuthType,
  ConnectionCapability,
  ConnectionDetail,
  ConnectionKind,
  CreateConnectionRequest,
  RestMethod,
  ServingMode,
  UpdateConnectionRequest
} from '../../api/types';

/** What happens to the stored secret on save: kept as it is, replaced by `secret`, or removed. */
export type SecretAction = 'keep' | 'replace' | 'remove';

export interface IConnectionForm {
  name: string;
  kind: ConnectionKind;
  endpoint: string;
  description: string;
  authType: ConnectionAuthType;
  apiKeyHeader: string;
  username: string;
  /** One `Name: value` per line. */
  headers: string;
  capabilities: ConnectionCapability[];
  /** The models it offers, one per line or comma-separated (Azure: its deployment names). */
  models: string;
  defaultModel: string;
  apiVersion: string;
  compartmentId: string;
  servingMode: ServingMode;
  /** `rest`: the JSON request template (the first method's request body). */
  requestTemplate: string;
  responsePath: string;
  timeoutS: string;
  allowLinkLocal: boolean;
  secretAction: SecretAction;
  /** Typed by the user only; empty unless `secretAction` is `replace`. */
  secret: string;
}

/** The request fields the form's inputs feed (a 400's field errors land under these). */
export const CONNECTION_FIELDS = [
  'name',
  'kind',
  'endpoint',
  'description',
  'auth_type',
  'api_key_header',
  'username',
  'headers',
  'capabilities',
  'models',
  'default_model',
  'api_version',
  'compartment_id',
  'serving_mode',
  'request_body',
  'response_path',
  'timeout_s',
  'allow_link_local',
  'secret'
] as const;
export type ConnectionField = (typeof CONNECTION_FIELDS)[number];

export const CONNECTION_KINDS: readonly ConnectionKind[] = ['openai', 'azure_openai', 'cohere', 'oci_genai', 'rest'];
export const AUTH_TYPES: readonly ConnectionAuthType[] = [
  'none',
  'api_key_header',
  'bearer',
  'basic',
  'oci_api_key',
  'oci_resource_principal'
];
export const CAPABILITIES: readonly ConnectionCapability[] = ['chat', 'completion', 'embedding', 'rerank', 'summarize'];

/** The auth types that send a secret the server keeps (the OCI ones sign with the server's own credentials). */
export function takesSecret(authType: ConnectionAuthType): boolean {
  return authType === 'api_key_header' || authType === 'bearer' || authType === 'basic';
}

/** How each kind usually authenticates: a new form switches to it with the kind. */
const KIND_DEFAULTS: Record<ConnectionKind, Pick<IConnectionForm, 'authType' | 'apiKeyHeader' | 'endpoint'>> = {
  openai: { authType: 'bearer', apiKeyHeader: '', endpoint: 'https://api.openai.com/v1' },
  azure_openai: { authType: 'api_key_header', apiKeyHeader: 'api-key', endpoint: '' },
  cohere: { authType: 'bearer', apiKeyHeader: '', endpoint: 'https://api.cohere.com' },
  oci_genai: { authType: 'oci_api_key', apiKeyHeader: '', endpoint: '' },
  rest: { authType: 'none', apiKeyHeader: '', endpoint: '' }
};

export function initialConnectionForm(kind: ConnectionKind = 'openai'): IConnectionForm {
  return {
    name: '',
    kind,
    description: '',
    username: '',
    headers: '',
    capabilities: ['chat'],
    models: '',
    defaultModel: '',
    apiVersion: kind === 'azure_openai' ? '2024-06-01' : '',
    compartmentId: '',
    servingMode: 'ON_DEMAND',
    requestTemplate: '',
    responsePath: '',
    timeoutS: '120',
    allowLinkLocal: false,
    secretAction: 'replace',
    secret: '',
    ...KIND_DEFAULTS[kind]
  };
}

/** A new form's kind changed: its usual auth and endpoint come with it, unless the user typed an endpoint. */
export function withKind(form: IConnectionForm, kind: ConnectionKind): IConnectionForm {
  const previous = KIND_DEFAULTS[form.kind];
  const next = KIND_DEFAULTS[kind];
  return {
    ...form,
    kind,
    authType: next.authType,
    apiKeyHeader: next.apiKeyHeader,
    endpoint: form.endpoint === previous.endpoint ? next.endpoint : form.endpoint,
    apiVersion: kind === 'azure_openai' && !form.apiVersion ? '2024-06-01' : form.apiVersion
  };
}

/** The form of an existing connection; the secret stays where it is unless the user replaces or removes it. */
export function formFromConnection(detail: ConnectionDetail): IConnectionForm {
  return {
    name: detail.name,
    kind: detail.kind,
    endpoint: detail.endpoint,
    description: detail.description,
    authType: detail.auth_type,
    apiKeyHeader: detail.api_key_header ?? '',
    username: detail.username ?? '',
    headers: Object.entries(detail.headers)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\n'),
    capabilities: [...detail.capabilities],
    models: detail.models.join('\n'),
    defaultModel: detail.default_model ?? '',
    apiVersion: detail.api_version ?? '',
    compartmentId: detail.compartment_id ?? '',
    servingMode: detail.serving_mode,
    requestTemplate: detail.methods[0]?.request_body ?? '',
    responsePath: detail.response_path ?? '',
    timeoutS: String(detail.timeout_s),
    allowLinkLocal: detail.allow_link_local,
    secretAction: 'keep',
    secret: ''
  };
}

/** The model names typed one per line or comma-separated, trimmed, without blanks or repeats. */
export function parseModels(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\n,]/)
        .map(item => item.trim())
        .filter(Boolean)
    )
  ];
}

/** `Name: value` lines as a header map; `error`: the first line without a colon (1-based). */
export function parseHeaders(text: string): { value: Record<string, string>; error: number | null } {
  const value: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) {
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      return { value, error: i + 1 };
    }
    value[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { value, error: null };
}

/** What the form can tell before sending (the server checks the rest and names the field). */
export function checkConnectionForm(
  form: IConnectionForm,
  trans: TranslationBundle
): Partial<Record<ConnectionField, string>> {
  const errors: Partial<Record<ConnectionField, string>> = {};
  if (!form.name.trim()) {
    errors.name = trans.__('Give the connection a name.');
  }
  if (!form.endpoint.trim()) {
    errors.endpoint = trans.__('The service’s URL is required.');
  }
  const headers = parseHeaders(form.headers);
  if (headers.error !== null) {
    errors.headers = trans.__('Line %1: expected “Name: value”.', headers.error);
  }
  if (form.capabilities.length === 0) {
    errors.capabilities = trans.__('Choose at least one.');
  }
  const timeout = Number(form.timeoutS);
  if (!form.timeoutS.trim() || !Number.isFinite(timeout) || timeout <= 0) {
    errors.timeout_s = trans.__('A number of seconds above 0.');
  }
  if (form.secretAction === 'replace' && takesSecret(form.authType) && form.secret !== form.secret.trim()) {
    errors.secret = trans.__('The key starts or ends with a space: paste it again.');
  }
  return errors;
}

const orNull = (text: string): string | null => (text.trim() ? text.trim() : null);

/** The fields create and update share (every one the form shows). */
function commonFields(form: IConnectionForm, methods: RestMethod[]) {
  const models = parseModels(form.models);
  return {
    name: form.name.trim(),
    endpoint: form.endpoint.trim(),
    description: form.description,
    auth_type: form.authType,
    api_key_header: form.authType === 'api_key_header' ? orNull(form.apiKeyHeader) : null,
    username: form.authType === 'basic' ? orNull(form.username) : null,
    headers: parseHeaders(form.headers).value,
    capabilities: form.capabilities,
    models,
    default_model: orNull(form.defaultModel),
    api_version: form.kind === 'azure_openai' ? orNull(form.apiVersion) : null,
    compartment_id: form.kind === 'oci_genai' ? orNull(form.compartmentId) : null,
    serving_mode: form.servingMode,
    response_path: form.kind === 'rest' ? orNull(form.responsePath) : null,
    methods,
    allow_link_local: form.allowLinkLocal,
    timeout_s: Number(form.timeoutS)
  };
}

/**
 * The methods to send: a `rest` connection's template is its first method's
 * request body (the rest of that method, and the other methods an import
 * brought, stay as they were).
 */
function methodsOf(form: IConnectionForm, existing: readonly RestMethod[]): RestMethod[] {
  if (form.kind !== 'rest') {
    return [...existing];
  }
  const template = form.requestTemplate;
  if (existing.length === 0) {
    return template.trim()
      ? [
          {
            method: 'POST',
            content_type: 'application/json',
            status_code: 200,
            request_body: template,
            mock_response: '',
            error_response: '',
            params: []
          }
        ]
      : [];
  }
  return [{ ...existing[0], request_body: template }, ...existing.slice(1)];
}

export function toCreateRequest(form: IConnectionForm): CreateConnectionRequest {
  const body: CreateConnectionRequest = { ...commonFields(form, methodsOf(form, [])), kind: form.kind };
  if (takesSecret(form.authType) && form.secret) {
    body.secret = form.secret;
  }
  return body;
}

/** The PATCH body: every field the form shows; the secret only when replaced ("" when removed). */
export function toUpdateRequest(form: IConnectionForm, detail: ConnectionDetail): UpdateConnectionRequest {
  const body: UpdateConnectionRequest = commonFields(form, methodsOf(form, detail.methods));
  if (form.secretAction === 'remove') {
    body.secret = '';
  } else if (form.secretAction === 'replace' && form.secret) {
    body.secret = form.secret;
  }
  return body;
}
