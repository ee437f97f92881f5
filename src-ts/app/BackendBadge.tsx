import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { BackendDescription, Hardware, Info } from '../api/types';
import { describeError } from '../shared/errors';

/** "Local · 2 CPUs · 23 GB RAM · no GPU", "OCI · us-ashburn-1 · …a1b2c3" or "OCI Generative AI · us-chicago-1 · …". */
export function targetSummary(target: BackendDescription, hardware: Hardware, trans: TranslationBundle): string {
  if (target.kind !== 'local') {
    const parts = [target.kind === 'genai' ? trans.__('OCI Generative AI') : trans.__('OCI')];
    if (target.region) {
      parts.push(target.region);
    }
    if (target.compartment_id) {
      parts.push(shortOcid(target.compartment_id));
    }
    return parts.join(' · ');
  }
  const parts = [
    trans.__('Local'),
    trans._n('%1 CPU', '%1 CPUs', hardware.cpu_count),
    trans.__('%1 GB RAM', Math.round(hardware.memory_gb))
  ];
  if (hardware.gpus.length === 0) {
    parts.push(trans.__('no GPU'));
  } else {
    const names = Array.from(new Set(hardware.gpus.map(gpu => gpu.name)));
    const memory = Math.round(hardware.gpus.reduce((sum, gpu) => sum + gpu.memory_gb, 0));
    parts.push(`${trans._n('%1 GPU', '%1 GPUs', hardware.gpus.length)} (${names.join(', ')}, ${memory} GB)`);
  }
  return parts.join(' · ');
}

/** The default target's summary. */
export function backendSummary(info: Info, trans: TranslationBundle): string {
  return targetSummary(info.backend, info.hardware, trans);
}

/** An OCID shortened to its last characters: "ocid1.compartment.oc1..aaaa…xyz123" → "…xyz123". */
export function shortOcid(ocid: string): string {
  return ocid.length > 16 ? `…${ocid.slice(-8)}` : ocid;
}

export interface IBackendBadgeProps {
  info: Info | null;
  error: unknown;
  trans: TranslationBundle;
}

/** The tooltip of one target: its label, compartment, data dir. */
function targetTitle(target: BackendDescription, trans: TranslationBundle): string {
  return [
    target.label,
    target.kind !== 'local' && target.compartment_id ? target.compartment_id : null,
    target.data_dir ? trans.__('Data: %1', target.data_dir) : null
  ]
    .filter(Boolean)
    .join('\n');
}

/** One enabled target: its summary, and why it is unavailable when it is. */
function TargetItem(props: { target: BackendDescription; info: Info; trans: TranslationBundle }): JSX.Element {
  const { target, info, trans } = props;
  return (
    <>
      <span className="jp-AquaExt-BackendBadge-dot" aria-hidden="true" />
      <span className="jp-AquaExt-BackendBadge-summary">
        {targetSummary(target, target.hardware ?? info.hardware, trans)}
      </span>
      {!target.ready && (
        <span className="jp-AquaExt-BackendBadge-problem">
          {target.problem || trans.__('The backend is not ready.')}
        </span>
      )}
    </>
  );
}

/** Which targets the panel drives (local, OCI…), whether each is ready, and why one is not. */
export function BackendBadge(props: IBackendBadgeProps): JSX.Element {
  const { info, error, trans } = props;
  if (error !== null && error !== undefined) {
    return (
      <div className="jp-AquaExt-BackendBadge jp-mod-error" role="status">
        <span className="jp-AquaExt-BackendBadge-dot" aria-hidden="true" />
        <span className="jp-AquaExt-BackendBadge-problem">{describeError(error, trans)}</span>
      </div>
    );
  }
  if (info === null) {
    return (
      <div className="jp-AquaExt-BackendBadge jp-mod-pending" role="status">
        <span className="jp-AquaExt-BackendBadge-dot" aria-hidden="true" />
        {trans.__('Connecting…')}
      </div>
    );
  }
  const readyClass = (ready: boolean): string =>
    ready ? 'jp-AquaExt-BackendBadge jp-mod-ready' : 'jp-AquaExt-BackendBadge jp-mod-warn';
  const version = trans.__('aqua_ext %1', info.version);
  if (info.targets.length < 2) {
    return (
      <div
        className={readyClass(info.backend.ready)}
        role="status"
        title={`${targetTitle(info.backend, trans)}\n${version}`}
      >
        <TargetItem target={info.backend} info={info} trans={trans} />
      </div>
    );
  }
  return (
    <ul
      className={`${readyClass(info.targets.every(target => target.ready))} jp-AquaExt-BackendBadge-targets`}
      role="status"
      aria-label={trans.__('Targets')}
      title={version}
    >
      {info.targets.map(target => (
        <li
          key={target.name}
          className={`jp-AquaExt-BackendBadge-target ${target.ready ? 'jp-mod-ready' : 'jp-mod-warn'}`}
          title={targetTitle(target, trans)}
        >
          <TargetItem target={target} info={info} trans={trans} />
        </li>
      ))}
    </ul>
  );
}
