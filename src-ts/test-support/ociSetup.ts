import type { OciSetupReport, SetupCheck } from '../api/types';

const COMPARTMENT = 'ocid1.compartment.oc1..aaaatest';
const MODELS_STATEMENT =
  'Allow dynamic-group aqua-dynamic-group to manage data-science-models in compartment aqua-tests';

function check(overrides: Partial<SetupCheck> & Pick<SetupCheck, 'key' | 'label'>): SetupCheck {
  return { status: 'ok', detail: 'allowed', fix_kind: null, fix: [], ...overrides };
}

/**
 * What `GET aqua-ext/oci/setup` answers for the case: a compartment
 * missing one policy (manage data-science-models) and an unversioned bucket.
 */
export function makeOciSetup(overrides: Partial<OciSetupReport> = {}): OciSetupReport {
  return {
    compartment_id: COMPARTMENT,
    compartment_name: 'aqua-tests',
    tenancy_id: 'ocid1.tenancy.oc1..aaaatenancy',
    bucket: 'aqua-out',
    checked_as: 'resource_principal',
    dynamic_groups: [
      {
        name: 'aqua-dynamic-group',
        description: 'AI Quick Actions: notebook sessions, model deployments and job runs of the compartment',
        matching_rule: `any {all {resource.type='datasciencejobrun', resource.compartment.id='${COMPARTMENT}'}}`
      }
    ],
    statements: [
      { key: 'admin-policies', policy: 'admin', text: 'Allow group <your_admin_group> to manage policies in tenancy' },
      { key: 'manage-models', policy: 'aqua', text: MODELS_STATEMENT },
      {
        key: 'use-logging',
        policy: 'aqua',
        text: 'Allow dynamic-group aqua-dynamic-group to use logging-family in compartment aqua-tests'
      }
    ],
    terraform: 'resource "oci_identity_policy" "aqua" {\n}\n',
    checks: [
      check({
        key: 'models',
        label: 'List models in the compartment',
        status: 'missing',
        detail: 'OCI refused it (NotAuthorizedOrNotFound): the statement below is missing',
        fix_kind: 'statement',
        fix: [MODELS_STATEMENT]
      }),
      check({ key: 'logging', label: 'List log groups' }),
      check({
        key: 'bucket-versioning',
        label: 'Output bucket versioning (fine-tuning needs it)',
        status: 'missing',
        detail: "bucket 'aqua-out' is not versioned (versioning Disabled)",
        fix_kind: 'command',
        fix: ['oci os bucket update --name aqua-out --namespace ns --versioning Enabled']
      }),
      check({
        key: 'create-test-resource',
        label: 'Create and delete a tagged project',
        status: 'skipped',
        detail: 'opt in (--create-test-resource) to run it'
      })
    ],
    ready: false,
    ...overrides
  };
}
