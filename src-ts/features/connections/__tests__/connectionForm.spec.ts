import {
  checkConnectionForm,
  formFromConnection,
  initialConnectionForm,
  parseHeaders,
  parseModels,
  toCreateRequest,
  toUpdateRequest,
  withKind
} from '../connectionForm';
import { makeConnection } from '../../../test-support/fixtures';
import { trans } from '../../../test-support/trans';

describe('connection form', () => {
  it('never holds a secret it did not get from the user: an edit starts by keeping the stored one', () => {
    const form = formFromConnection(makeConnection({ secret_set: true }));
    expect(form.secret).toBe('');
    expect(form.secretAction).toBe('keep');
    expect(toUpdateRequest(form, makeConnection())).not.toHaveProperty('secret');
  });

  it('replaces the secret with what was typed, removes it with "", and keeps it when Replace was left empty', () => {
    const detail = makeConnection();
    const form = formFromConnection(detail);
    expect(toUpdateRequest({ ...form, secretAction: 'replace', secret: 'sk-live-7c1e' }, detail).secret).toBe(
      'sk-live-7c1e'
    );
    expect(toUpdateRequest({ ...form, secretAction: 'remove' }, detail).secret).toBe('');
    expect(toUpdateRequest({ ...form, secretAction: 'replace', secret: '' }, detail)).not.toHaveProperty('secret');
  });

  it('sends the secret on create only for an auth type that takes one', () => {
    const form = { ...initialConnectionForm('openai'), name: 'OpenAI 本番', secret: 'sk-1' };
    expect(toCreateRequest(form).secret).toBe('sk-1');
    expect(toCreateRequest({ ...form, authType: 'oci_resource_principal' })).not.toHaveProperty('secret');
  });

  it("switches a new form's auth and endpoint with its kind, keeping an endpoint the user typed", () => {
    const openai = initialConnectionForm('openai');
    const azure = withKind(openai, 'azure_openai');
    expect(azure).toMatchObject({
      authType: 'api_key_header',
      apiKeyHeader: 'api-key',
      endpoint: '',
      apiVersion: '2024-06-01'
    });
    const typed = withKind({ ...openai, endpoint: 'http://localhost:11434/v1' }, 'oci_genai');
    expect(typed).toMatchObject({ authType: 'oci_api_key', endpoint: 'http://localhost:11434/v1' });
  });

  it('sends only the fields of its kind: Azure its API version and deployments, OCI its compartment and mode', () => {
    const azure = toCreateRequest({
      ...withKind(initialConnectionForm(), 'azure_openai'),
      name: 'Azure 東日本',
      endpoint: 'https://r.openai.azure.com',
      models: 'gpt-4o-prod, gpt-4o-mini-prod\ngpt-4o-prod',
      compartmentId: 'ocid1.compartment.oc1..x'
    });
    expect(azure).toMatchObject({
      kind: 'azure_openai',
      api_version: '2024-06-01',
      models: ['gpt-4o-prod', 'gpt-4o-mini-prod'],
      compartment_id: null,
      api_key_header: 'api-key'
    });
    const oci = toCreateRequest({
      ...withKind(initialConnectionForm(), 'oci_genai'),
      name: 'OCI 생성형 AI',
      endpoint: 'https://inference.generativeai.us-chicago-1.oci.oraclecloud.com',
      compartmentId: 'ocid1.compartment.oc1..x',
      servingMode: 'DEDICATED',
      apiVersion: '2024-06-01'
    });
    expect(oci).toMatchObject({
      kind: 'oci_genai',
      compartment_id: 'ocid1.compartment.oc1..x',
      serving_mode: 'DEDICATED',
      api_version: null
    });
  });

  it("puts a REST service's template in its first method, keeping what an import brought", () => {
    const created = toCreateRequest({
      ...withKind(initialConnectionForm(), 'rest'),
      name: 'Llama 라마',
      endpoint: 'https://llm.example.com/generate',
      requestTemplate: '{"prompt": "{{prompt}}"}',
      responsePath: 'inferenceResponse.generatedTexts[0].text'
    });
    expect(created.methods).toEqual([
      expect.objectContaining({ method: 'POST', request_body: '{"prompt": "{{prompt}}"}' })
    ]);
    expect(created.response_path).toBe('inferenceResponse.generatedTexts[0].text');

    const imported = makeConnection({
      kind: 'rest',
      methods: [
        {
          method: 'POST',
          content_type: 'application/json',
          status_code: 200,
          request_body: '{"old": true}',
          mock_response: '{"text": "模擬"}',
          error_response: '{"error": {"code": "context_length_exceeded"}}',
          params: []
        }
      ]
    });
    const form = formFromConnection(imported);
    expect(form.requestTemplate).toBe('{"old": true}');
    const updated = toUpdateRequest({ ...form, requestTemplate: '{"new": "{{prompt}}"}' }, imported);
    expect(updated.methods).toEqual([
      expect.objectContaining({ request_body: '{"new": "{{prompt}}"}', mock_response: '{"text": "模擬"}' })
    ]);
  });

  it('reads headers and models as typed, and names what it cannot read', () => {
    expect(parseHeaders('X-Team: 데이터\n\nX-Trace:  on ')).toEqual({
      value: { 'X-Team': '데이터', 'X-Trace': 'on' },
      error: null
    });
    expect(parseHeaders('X-Ok: 1\nno colon').error).toBe(2);
    expect(parseModels(' a ,b\n\na ')).toEqual(['a', 'b']);
    const errors = checkConnectionForm(
      { ...initialConnectionForm(), name: ' ', endpoint: '', headers: 'broken', capabilities: [], timeoutS: '0' },
      trans
    );
    expect(Object.keys(errors).sort()).toEqual(['capabilities', 'endpoint', 'headers', 'name', 'timeout_s']);
    expect(errors.headers).toBe('Line 1: expected “Name: value”.');
  });
});
