import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { Info } from '../api/types';
import { describeError } from '../shared/errors';

/** "Local · 2 CPUs · 23 GB RAM · no GPU" or "OCI · us-ashburn-1 · …a1b2c3". */
export function backendSummary(info: Info, trans: TranslationBundle): string {
  const { backend, hardware } = info;
  if (backend.kind === 'oci') {
    const parts = [trans.__('OCI')];
    if (backend.region) {
      parts.push(backend.region);
    }
    if (backend.compartment_id) {
      parts.push(shortOcid(backend.compartment_id));
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

/** An OCID shortened to its last characters: "ocid1.compartment.oc1..aaaa…xyz123" → "…xyz123". */
export function shortOcid(ocid: string): string {
  return ocid.length > 16 ? `…${ocid.slice(-8)}` : ocid;
}

export interface IBackendBadgeProps {
  info: Info | null;
  error: unknown;
  trans: TranslationBundle;
}

/** Which backend the panel drives, and whether it is ready. */
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
  const title = [
    info.backend.label,
    info.backend.kind === 'oci' && info.backend.compartment_id ? info.backend.compartment_id : null,
    info.backend.data_dir ? trans.__('Data: %1', info.backend.data_dir) : null,
    trans.__('aqua_ext %1', info.version)
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <div
      className={info.backend.ready ? 'jp-AquaExt-BackendBadge jp-mod-ready' : 'jp-AquaExt-BackendBadge jp-mod-warn'}
      role="status"
      title={title}
    >
      <span className="jp-AquaExt-BackendBadge-dot" aria-hidden="true" />
      <span className="jp-AquaExt-BackendBadge-summary">{backendSummary(info, trans)}</span>
      {!info.backend.ready && (
        <span className="jp-AquaExt-BackendBadge-problem">
          {info.backend.problem || trans.__('The backend is not ready.')}
        </span>
      )}
    </div>
  );
}
