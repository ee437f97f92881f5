/** The words for a connection's kind, authentication, capabilities and a test's mapped error. */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { ConnectionAuthType, ConnectionCapability, ConnectionErrorKind, ConnectionKind } from '../../api/types';

export function kindLabel(kind: ConnectionKind, trans: TranslationBundle): string {
  switch (kind) {
    case 'openai':
      return trans.__('OpenAI-compatible');
    case 'azure_openai':
      return trans.__('Azure OpenAI');
    case 'cohere':
      return trans.__('Cohere');
    case 'oci_genai':
      return trans.__('OCI Generative AI');
    case 'rest':
      return trans.__('REST service');
  }
}

export function authLabel(authType: ConnectionAuthType, trans: TranslationBundle): string {
  switch (authType) {
    case 'none':
      return trans.__('None');
    case 'api_key_header':
      return trans.__('API key in a header');
    case 'bearer':
      return trans.__('Bearer token');
    case 'basic':
      return trans.__('Basic (user name and password)');
    case 'oci_api_key':
      return trans.__('OCI API key (the server’s OCI config)');
    case 'oci_resource_principal':
      return trans.__('OCI resource principal');
  }
}

/** What the secret is called for an auth type (the password field's label). */
export function secretLabel(authType: ConnectionAuthType, trans: TranslationBundle): string {
  switch (authType) {
    case 'bearer':
      return trans.__('Token');
    case 'basic':
      return trans.__('Password');
    default:
      return trans.__('API key');
  }
}

export function capabilityLabel(capability: ConnectionCapability, trans: TranslationBundle): string {
  switch (capability) {
    case 'chat':
      return trans.__('Chat');
    case 'completion':
      return trans.__('Completion');
    case 'embedding':
      return trans.__('Embedding');
    case 'rerank':
      return trans.__('Rerank');
    case 'summarize':
      return trans.__('Summarize');
  }
}

/** The kind of provider error a test request's answer was mapped to, as a heading. */
export function errorKindLabel(kind: ConnectionErrorKind, trans: TranslationBundle): string {
  switch (kind) {
    case 'context_length_exceeded':
      return trans.__('Context length exceeded');
    case 'bad_credentials':
      return trans.__('Bad key or credentials');
    case 'forbidden':
      return trans.__('Not allowed');
    case 'quota':
      return trans.__('Quota or rate limit reached');
    case 'model_not_found':
      return trans.__('Model not found');
    case 'bad_request':
      return trans.__('The service refused the request');
    case 'upstream':
      return trans.__('The service failed or could not be reached');
  }
}
