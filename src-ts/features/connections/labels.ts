/** The words for a connection's kind, authentication, capabilities and a test's mapped error. */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { ConnectionAuthType, ConnectionCapability, ConnectionErrorKind, ConnectionKind } from '../../api/types';
import { labelOf } from '../../shared/labels';

export function kindLabel(kind: ConnectionKind, trans: TranslationBundle): string {
  return labelOf(
    {
      openai: trans.__('OpenAI-compatible'),
      azure_openai: trans.__('Azure OpenAI'),
      cohere: trans.__('Cohere'),
      oci_genai: trans.__('OCI Generative AI'),
      rest: trans.__('REST service')
    },
    kind
  );
}

export function authLabel(authType: ConnectionAuthType, trans: TranslationBundle): string {
  return labelOf(
    {
      none: trans.__('None'),
      api_key_header: trans.__('API key in a header'),
      bearer: trans.__('Bearer token'),
      basic: trans.__('Basic (user name and password)'),
      oci_api_key: trans.__('OCI API key (the server’s OCI config)'),
      oci_resource_principal: trans.__('OCI resource principal')
    },
    authType
  );
}

/** What the secret is called for an auth type (the password field's label). */
export function secretLabel(authType: ConnectionAuthType, trans: TranslationBundle): string {
  return authType === 'bearer' ? trans.__('Token') : authType === 'basic' ? trans.__('Password') : trans.__('API key');
}

export function capabilityLabel(capability: ConnectionCapability, trans: TranslationBundle): string {
  return labelOf(
    {
      chat: trans.__('Chat'),
      completion: trans.__('Completion'),
      embedding: trans.__('Embedding'),
      rerank: trans.__('Rerank'),
      summarize: trans.__('Summarize')
    },
    capability
  );
}

/** The kind of provider error a test request's answer was mapped to, as a heading. */
export function errorKindLabel(kind: ConnectionErrorKind, trans: TranslationBundle): string {
  return labelOf(
    {
      context_length_exceeded: trans.__('Context length exceeded'),
      bad_credentials: trans.__('Bad key or credentials'),
      forbidden: trans.__('Not allowed'),
      quota: trans.__('Quota or rate limit reached'),
      model_not_found: trans.__('Model not found'),
      bad_request: trans.__('The service refused the request'),
      upstream: trans.__('The service failed or could not be reached')
    },
    kind
  );
}
