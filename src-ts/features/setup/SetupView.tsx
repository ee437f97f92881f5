import * as React from 'react';

import { Button, copyIcon, InputGroup } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../../api/client';
import type { OciSetupReport, SetupCheck } from '../../api/types';
import type { CopyToClipboard } from '../../shared/callbacks';
import type { BadgeVariant } from '../../shared/variants';
import { Badge } from '../../ui/Badge';
import { ErrorState } from '../../ui/ErrorState';
import { Loading } from '../../ui/Loading';
import { CopyableCode } from '../../ui/ResourceDetail';
import { useCopiedFlag } from '../../ui/hooks/useCopiedFlag';
import { TextButton } from '../../ui/TextButton';

export interface ISetupViewProps {
  client: IAquaClient;
  trans: TranslationBundle;
  copyToClipboard: CopyToClipboard;
  onClose?: () => void;
  /** The check to scroll to and highlight (an authorization error's `setup_check`). */
  focusCheck?: string | null;
}

const STATUS_VARIANT: Record<SetupCheck['status'], BadgeVariant> = {
  ok: 'success',
  missing: 'error',
  unknown: 'warn',
  skipped: 'muted'
};

/**
 * OCI readiness: the dynamic groups and policy statements AQUA needs in the
 * compartment (each copyable, and all of them as Terraform), and the server's
 * read-only checks, each ok / missing with what fixes it.
 */
export function SetupView(props: ISetupViewProps): JSX.Element {
  const { client, trans } = props;
  const [bucket, setBucket] = React.useState('');
  const [shapes, setShapes] = React.useState('');
  const [report, setReport] = React.useState<OciSetupReport | null>(null);
  const [error, setError] = React.useState<unknown>(null);
  const [loading, setLoading] = React.useState(true);
  const [request, setRequest] = React.useState({ bucket: '', shapes: '', n: 0 });

  React.useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    client
      .getOciSetup({ bucket: request.bucket || undefined, shapes: request.shapes || undefined })
      .then(answer => live && setReport(answer))
      .catch(reason => live && setError(reason))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [client, request]);

  // Once the checks are shown, bring the one asked for into view.
  const focused = React.useRef<HTMLLIElement | null>(null);
  React.useEffect(() => {
    focused.current?.scrollIntoView?.({ block: 'center' });
  }, [report, loading, props.focusCheck]);

  const check = (): void => setRequest(r => ({ bucket: bucket.trim(), shapes: shapes.trim(), n: r.n + 1 }));
  const copy = (value: string, label: string): JSX.Element => (
    <CopyableCode trans={trans} value={value} label={label} copyToClipboard={props.copyToClipboard} />
  );
  const missing = report?.checks.filter(c => c.status === 'missing').length ?? 0;
  const aqua = report?.statements.filter(s => s.policy === 'aqua') ?? [];
  const admin = report?.statements.filter(s => s.policy !== 'aqua') ?? [];

  return (
    <div className="jp-AquaExt-Setup" aria-label={trans.__('OCI setup')}>
      <div className="jp-AquaExt-Setup-header">
        <h2>{trans.__('OCI setup')}</h2>
        {props.onClose && (
          <Button className="jp-AquaExt-button" minimal onClick={props.onClose}>
            {trans.__('Close')}
          </Button>
        )}
      </div>
      <form
        className="jp-AquaExt-Setup-query"
        onSubmit={event => {
          event.preventDefault();
          check();
        }}
      >
        <label>
          {trans.__('Output bucket')}
          <InputGroup value={bucket} placeholder="aqua-bucket" onChange={event => setBucket(event.target.value)} />
        </label>
        <label>
          {trans.__('Shapes (comma-separated)')}
          <InputGroup value={shapes} placeholder="VM.GPU.A10.2" onChange={event => setShapes(event.target.value)} />
        </label>
        <TextButton kind="accept" type="submit" label={trans.__('Check')} disabled={loading} />
      </form>
      {loading && <Loading>{trans.__('Checking the compartment…')}</Loading>}
      {!loading && error !== null && <ErrorState error={error} trans={trans} onRetry={check} />}
      {!loading && report && (
        <>
          <p className="jp-AquaExt-Setup-summary" role="status">
            {report.ready
              ? trans.__('Compartment %1 is ready.', report.compartment_name ?? report.compartment_id)
              : trans._n('%1 check is missing.', '%1 checks are missing.', missing)}{' '}
            {trans.__('Checked as %1.', report.checked_as)}
          </p>
          <section aria-label={trans.__('Checks')}>
            <h3>{trans.__('Checks')}</h3>
            <ul className="jp-AquaExt-Setup-checks">
              {report.checks.map(c => (
                <li
                  key={c.key}
                  data-check={c.key}
                  ref={c.key === props.focusCheck ? focused : undefined}
                  className={
                    c.key === props.focusCheck ? 'jp-AquaExt-Setup-check jp-mod-focused' : 'jp-AquaExt-Setup-check'
                  }
                  aria-current={c.key === props.focusCheck ? 'true' : undefined}
                >
                  <Badge variant={STATUS_VARIANT[c.status]}>{c.status}</Badge> <strong>{c.label}</strong>: {c.detail}
                  {c.fix.map(fix => (
                    <div key={fix} className="jp-AquaExt-Setup-fix">
                      {copy(fix, c.fix_kind === 'command' ? trans.__('command') : trans.__('fix'))}
                    </div>
                  ))}
                </li>
              ))}
            </ul>
          </section>
          <section aria-label={trans.__('Dynamic groups')}>
            <h3>{trans.__('Dynamic groups (in the tenancy)')}</h3>
            {report.dynamic_groups.map(group => (
              <div key={group.name} className="jp-AquaExt-Setup-group">
                <strong>{group.name}</strong>
                {copy(group.matching_rule, trans.__('matching rule'))}
              </div>
            ))}
          </section>
          <section aria-label={trans.__('Policy statements')}>
            <h3>{trans.__('Policy statements')}</h3>
            {/* Two policies: AQUA's own, and what whoever applies the setup needs (its group is a placeholder). */}
            <CopyAll
              trans={trans}
              title={trans.__("AQUA's policy")}
              value={aqua.map(s => s.text).join('\n')}
              label={trans.__('all statements')}
              copyToClipboard={props.copyToClipboard}
            />
            <ul className="jp-AquaExt-Setup-statements">
              {aqua.map(s => (
                <li key={s.key}>{copy(s.text, trans.__('statement'))}</li>
              ))}
            </ul>
            {admin.length > 0 && (
              <>
                <h4>{trans.__('For whoever applies the setup')}</h4>
                <ul className="jp-AquaExt-Setup-statements">
                  {admin.map(s => (
                    <li key={s.key}>{copy(s.text, trans.__('statement'))}</li>
                  ))}
                </ul>
              </>
            )}
          </section>
          <section aria-label={trans.__('Terraform')}>
            <CopyAll
              trans={trans}
              title={trans.__('Terraform')}
              heading="h3"
              value={report.terraform}
              label={trans.__('Terraform')}
              copyToClipboard={props.copyToClipboard}
            />
            <pre className="jp-AquaExt-Setup-terraform">
              <code>{report.terraform}</code>
            </pre>
          </section>
        </>
      )}
    </div>
  );
}

/** A heading with a labelled Copy button beside it, for a text too long to show as one copyable line. */
function CopyAll(props: {
  trans: TranslationBundle;
  title: string;
  heading?: 'h3' | 'h4';
  value: string;
  label: string;
  copyToClipboard: CopyToClipboard;
}): JSX.Element {
  const { trans } = props;
  const [copied, markCopied] = useCopiedFlag();
  const Heading = props.heading ?? 'h4';
  return (
    <div className="jp-AquaExt-Setup-copyAll">
      <Heading>{props.title}</Heading>
      <Button
        className="jp-mod-styled jp-AquaExt-button"
        aria-label={trans.__('Copy %1', props.label)}
        title={trans.__('Copy %1', props.label)}
        onClick={() => {
          props.copyToClipboard(props.value);
          markCopied();
        }}
      >
        <copyIcon.react tag="span" className="jp-AquaExt-buttonIcon" />
        {copied ? trans.__('Copied') : trans.__('Copy')}
      </Button>
    </div>
  );
}
