import * as React from 'react';

import { HTMLSelect } from '@jupyterlab/ui-components';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IAquaClient } from '../api/client';
import type { Dtype, FitQuery, FitReport, FitTarget, WeightChoice } from '../api/types';
import { formatGb, formatGbCompact } from '../shared/format';
import { engineLabel } from '../shared/labels';
import { DTYPES } from '../shared/settings';
import { FieldError } from './FormField';
import { Loaded } from './Loading';
import { FitAssumptions } from './FitSummary';

export interface IMemoryFitProps {
  client: IAquaClient;
  trans: TranslationBundle;
  modelId: string;
  defaultDtype: Dtype;
  defaultContextLength: number;
  defaultConcurrency: number;
  /** Wait this long after the last input change before asking the server (default 300 ms). */
  debounceMs?: number;
}

const MAX_CONTEXT = 2_000_000;
const MAX_CONCURRENCY = 1024;

type FitEngine = NonNullable<FitQuery['engine']>;
// The engines a fit can be asked for (the contract's FitEngine; the Record makes tsc name one it adds).
// Their weights' choices are the server's (`quantizations`), never a list of ours.
const FIT_ENGINE_SET: Record<FitEngine, true> = { transformers: true, vllm: true, 'llama.cpp': true, tgi: true };
const FIT_ENGINES = Object.keys(FIT_ENGINE_SET) as FitEngine[];

function parseBounded(text: string, max: number): number | null {
  if (!/^\d+$/.test(text.trim())) {
    return null;
  }
  const value = Number(text);
  return value >= 1 && value <= max ? value : null;
}

/**
 * "Will it fit?": the memory a model needs for a data type (or, for an engine, one of the weights'
 * choices the server lists), context length and concurrency, which local devices and OCI shapes can
 * hold it, and how fast each would answer.
 */
export function MemoryFit(props: IMemoryFitProps): JSX.Element {
  const { client, trans, modelId } = props;
  const debounceMs = props.debounceMs ?? 300;
  const [dtype, setDtype] = React.useState<Dtype>(props.defaultDtype);
  const [engine, setEngine] = React.useState<FitEngine | ''>('');
  // One of the engine's `quantizations` (null: not chosen yet, the server's default is taken below).
  const [quantization, setQuantization] = React.useState<string | null>(null);
  const [contextText, setContextText] = React.useState(String(props.defaultContextLength));
  const [concurrencyText, setConcurrencyText] = React.useState(String(props.defaultConcurrency));
  const [report, setReport] = React.useState<FitReport | null>(null);
  const [error, setError] = React.useState<unknown>(null);
  const [loading, setLoading] = React.useState(false);
  const [attempt, setAttempt] = React.useState(0);
  const sequence = React.useRef(0);

  const contextLength = parseBounded(contextText, MAX_CONTEXT);
  const concurrency = parseBounded(concurrencyText, MAX_CONCURRENCY);
  const inputsValid = contextLength !== null && concurrency !== null;

  React.useEffect(() => {
    if (contextLength === null || concurrency === null) {
      setLoading(false);
      return;
    }
    const id = ++sequence.current;
    setLoading(true);
    const query: FitQuery = { dtype, context_length: contextLength, concurrency };
    if (engine) {
      query.engine = engine;
      if (quantization) {
        query.quantization = quantization;
      }
    }
    const timer = setTimeout(() => {
      client
        .getModelFit(modelId, query)
        .then(result => {
          if (id === sequence.current) {
            setReport(result);
            setError(null);
          }
        })
        .catch(reason => {
          if (id === sequence.current) {
            setError(reason);
          }
        })
        .finally(() => {
          if (id === sequence.current) {
            setLoading(false);
          }
        });
    }, debounceMs);
    return () => {
      clearTimeout(timer);
      // A newer request (or unmount) supersedes this one.
      sequence.current += 1;
    };
  }, [client, modelId, dtype, engine, quantization, contextLength, concurrency, debounceMs, attempt]);

  // The engine's weights' choices, as the report for that engine lists them.
  const choices: WeightChoice[] = engine && report?.engine === engine ? report.quantizations : [];
  const choicesPending = engine !== '' && report?.engine !== engine;
  const serverDefault = (choices.find(choice => choice.default) ?? choices[0])?.value ?? null;
  React.useEffect(() => {
    // Until one is chosen, the fit prices what the server says the engine runs by default.
    if (quantization === null && serverDefault !== null) {
      setQuantization(serverDefault);
    }
  }, [quantization, serverDefault]);
  const showWeights = engine !== '' && (choicesPending || choices.length > 0);

  return (
    <section className="jp-AquaExt-MemoryFit" aria-label={trans.__('Memory fit')} aria-busy={loading}>
      <h3 className="jp-AquaExt-sectionTitle">{trans.__('Will it fit?')}</h3>
      <div className="jp-AquaExt-MemoryFit-inputs">
        <FitSelect
          label={trans.__('Engine')}
          value={engine}
          onChange={value => {
            setEngine(value as FitEngine | '');
            // Another engine runs other weights: its default until one of its own is chosen.
            setQuantization(null);
          }}
          options={[
            { value: '', label: trans.__('Any (by data type)') },
            ...FIT_ENGINES.map(value => ({ value, label: engineLabel(value) }))
          ]}
        />
        {showWeights ? (
          <FitSelect
            label={trans.__('Weights')}
            value={choicesPending ? '' : (quantization ?? '')}
            disabled={choicesPending}
            onChange={setQuantization}
            options={
              choicesPending
                ? [{ value: '', label: trans.__('Loading…') }]
                : choices.map(choice => ({ value: choice.value, label: choice.label }))
            }
          />
        ) : (
          <FitSelect
            label={trans.__('Data type')}
            value={dtype}
            onChange={value => setDtype(value as Dtype)}
            options={DTYPES.map(value => ({ value, label: value }))}
          />
        )}
        <IntegerField
          label={trans.__('Context length')}
          max={MAX_CONTEXT}
          text={contextText}
          valid={contextLength !== null}
          onChange={setContextText}
        />
        <IntegerField
          label={trans.__('Concurrency')}
          max={MAX_CONCURRENCY}
          text={concurrencyText}
          valid={concurrency !== null}
          onChange={setConcurrencyText}
        />
      </div>
      {!inputsValid && (
        <FieldError>
          {trans.__(
            'Context length must be a whole number from 1 to %1 and concurrency from 1 to %2.',
            MAX_CONTEXT.toLocaleString(),
            MAX_CONCURRENCY
          )}
        </FieldError>
      )}
      <Loaded
        trans={trans}
        value={report}
        error={error}
        loading={trans.__('Estimating memory…')}
        onRetry={() => setAttempt(n => n + 1)}
      >
        {fit => <FitReportView report={fit} trans={trans} stale={loading} />}
      </Loaded>
    </section>
  );
}

function FitReportView(props: { report: FitReport; trans: TranslationBundle; stale: boolean }): JSX.Element {
  const { report, trans } = props;
  return (
    <div className={props.stale ? 'jp-AquaExt-FitReport jp-mod-stale' : 'jp-AquaExt-FitReport'}>
      <div className="jp-AquaExt-FitReport-total">
        <span className="jp-AquaExt-FitReport-totalLabel">{trans.__('Estimated memory')}</span>
        <span className="jp-AquaExt-FitReport-totalValue">
          {report.total_gb === null ? trans.__('unknown') : formatGb(report.total_gb)}
        </span>
      </div>
      {report.total_gb === null && (
        <p className="jp-AquaExt-muted">
          {report.unknown.length > 0
            ? trans.__('Memory cannot be estimated: unknown %1.', report.unknown.join(', '))
            : trans.__('The parameter count of this model is unknown, so its memory cannot be estimated.')}
        </p>
      )}
      <BreakdownBar report={report} trans={trans} />
      {report.arithmetic.length + report.decode.length > 0 && (
        <pre className="jp-AquaExt-FitReport-arithmetic" aria-label={trans.__('How the estimate is computed')}>
          {[...report.arithmetic, ...report.decode].join('\n')}
        </pre>
      )}
      <FitAssumptions lines={report.assumptions} trans={trans} />
      <FitTable report={report} trans={trans} />
    </div>
  );
}

function BreakdownBar(props: { report: FitReport; trans: TranslationBundle }): JSX.Element | null {
  const { report, trans } = props;
  const parts = [
    { key: 'weights', label: trans.__('Weights'), value: report.weights_gb },
    { key: 'kv', label: trans.__('KV cache'), value: report.kv_cache_gb },
    { key: 'overhead', label: trans.__('Overhead'), value: report.overhead_gb }
  ];
  const sum = parts.reduce((total, part) => total + Math.max(0, part.value ?? 0), 0);
  if (sum <= 0) {
    return null;
  }
  return (
    <div className="jp-AquaExt-FitReport-breakdown">
      <div className="jp-AquaExt-FitReport-bar" role="img" aria-label={trans.__('Memory breakdown')}>
        {parts.map(part => {
          const share = Math.max(0, part.value ?? 0) / sum;
          return share > 0 ? (
            <span
              key={part.key}
              className={`jp-AquaExt-FitReport-segment jp-AquaExt-FitReport-segment-${part.key}`}
              style={{ width: `${(share * 100).toFixed(2)}%` }}
              title={`${part.label}: ${formatGb(part.value)}`}
            />
          ) : null;
        })}
      </div>
      <ul className="jp-AquaExt-FitReport-legend">
        {parts.map(part => (
          <li key={part.key}>
            <span className={`jp-AquaExt-FitReport-swatch jp-AquaExt-FitReport-segment-${part.key}`} />
            {part.label} <strong>{formatGb(part.value)}</strong>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** "3 available" / "limit reached" for an OCI shape whose service limit is known; null when unknown. */
export function availabilityText(target: Pick<FitTarget, 'available'>, trans: TranslationBundle): string | null {
  const available = target.available ?? null;
  if (available === null) {
    return null;
  }
  return available <= 0 ? trans.__('limit reached') : trans.__('%1 available', available);
}

/** The service-limit badge of an OCI shape: how many more instances, or that none is left. */
function AvailabilityBadge(props: { target: FitTarget; trans: TranslationBundle }): JSX.Element | null {
  const { target, trans } = props;
  const text = availabilityText(target, trans);
  if (text === null) {
    return null;
  }
  const reached = (target.available ?? 0) <= 0;
  return (
    <span
      className={`jp-AquaExt-Badge ${reached ? 'jp-AquaExt-Badge-warn' : 'jp-AquaExt-Badge-muted'} jp-AquaExt-FitTable-available`}
      title={
        reached
          ? trans.__(
              'The service limit of this shape is reached in this region: request a limit increase or choose another shape.'
            )
          : trans.__('The service limits allow %1 more instances of this shape in this region.', target.available ?? 0)
      }
    >
      {text}
    </span>
  );
}

/** The server's verdict that a target holds the model but would answer too slowly to be of use. */
function TooSlowBadge(props: { target: FitTarget; report: FitReport; trans: TranslationBundle }): JSX.Element | null {
  const { target, report, trans } = props;
  if (!target.too_slow) {
    return null;
  }
  return (
    <span
      className="jp-AquaExt-Badge jp-AquaExt-Badge-warn jp-AquaExt-FitTable-tooSlow"
      title={trans.__(
        'Holds the model but would answer at about %1 tokens/s (under %2): too slow to be of use, so never recommended.',
        target.tokens_per_s ?? '?',
        report.too_slow_below_tokens_per_s ?? '?'
      )}
    >
      {trans.__('too slow')}
    </span>
  );
}

/**
 * Target | Fits | Memory | Headroom | Speed. A fixed table layout: the four number
 * columns keep their widths and the target names wrap, so the table never
 * grows wider than the panel it sits in.
 */
function FitTable(props: { report: FitReport; trans: TranslationBundle }): JSX.Element {
  const { report, trans } = props;
  const row = (target: FitTarget): JSX.Element => {
    const recommended = target.recommended || (target.kind === 'oci-shape' && target.name === report.recommended_shape);
    const devices = target.gpu_count > 0 ? trans._n('%1 GPU', '%1 GPUs', target.gpu_count) : trans.__('CPU');
    return (
      <tr
        key={`${target.kind}:${target.name}`}
        className={recommended ? 'jp-AquaExt-recommended' : target.available === 0 ? 'jp-mod-limitReached' : undefined}
      >
        <td className="jp-AquaExt-FitTable-name">
          <span className="jp-AquaExt-FitTable-target">{breakAtDots(target.name)}</span>
          <span className="jp-AquaExt-FitTable-devices">
            {devices}
            {recommended && (
              <span className="jp-AquaExt-Badge jp-AquaExt-Badge-success">{trans.__('Recommended')}</span>
            )}
            {target.kind === 'oci-shape' && <AvailabilityBadge target={target} trans={trans} />}
            <TooSlowBadge target={target} report={report} trans={trans} />
          </span>
        </td>
        <td
          className={
            target.fits ? 'jp-AquaExt-FitTable-fits jp-AquaExt-fits' : 'jp-AquaExt-FitTable-fits jp-AquaExt-doesNotFit'
          }
        >
          <span aria-hidden="true">{target.fits ? '✓' : '✗'}</span>
          <span className="jp-AquaExt-srOnly">{target.fits ? trans.__('fits') : trans.__('does not fit')}</span>
        </td>
        <td className="jp-AquaExt-FitTable-number" title={formatGb(target.memory_gb)}>
          {formatGbCompact(target.memory_gb)}
        </td>
        <td className="jp-AquaExt-FitTable-number" title={formatGb(target.headroom_gb)}>
          {formatGbCompact(target.headroom_gb)}
        </td>
        <td
          className="jp-AquaExt-FitTable-number jp-AquaExt-FitTable-speed"
          title={
            target.tokens_per_s === null || target.tokens_per_s === undefined
              ? trans.__('Unknown: the memory bandwidth or the weights are unknown.')
              : trans.__(
                  'About %1 tokens/s for one sequence (%2 GB/s of memory bandwidth).',
                  target.tokens_per_s,
                  target.bandwidth_gb_s ?? '?'
                )
          }
        >
          {target.tokens_per_s === null || target.tokens_per_s === undefined
            ? '—'
            : trans.__('%1 tok/s', target.tokens_per_s)}
        </td>
      </tr>
    );
  };
  const section = (title: string, targets: FitTarget[]): JSX.Element[] =>
    targets.length === 0
      ? []
      : [
          <tr key={`section:${title}`} className="jp-AquaExt-FitTable-section">
            <th colSpan={5} scope="colgroup">
              {title}
            </th>
          </tr>,
          ...targets.map(row)
        ];
  return (
    <table className="jp-AquaExt-FitTable">
      <colgroup>
        <col className="jp-AquaExt-FitTable-targetColumn" />
        <col className="jp-AquaExt-FitTable-fitsColumn" />
        <col className="jp-AquaExt-FitTable-memoryColumn" />
        <col className="jp-AquaExt-FitTable-headroomColumn" />
        <col className="jp-AquaExt-FitTable-speedColumn" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">{trans.__('Target')}</th>
          <th scope="col" className="jp-AquaExt-FitTable-fits">
            {trans.__('Fits')}
          </th>
          <th scope="col" className="jp-AquaExt-FitTable-number">
            {trans.__('Memory')}
          </th>
          <th scope="col" className="jp-AquaExt-FitTable-number">
            {trans.__('Headroom')}
          </th>
          <th
            scope="col"
            className="jp-AquaExt-FitTable-number"
            title={trans.__('Estimated decode speed of one sequence: memory bandwidth ÷ bytes read per token.')}
          >
            {trans.__('Speed')}
          </th>
        </tr>
      </thead>
      <tbody>
        {section(trans.__('This machine'), report.local)}
        {section(trans.__('OCI shapes'), report.shapes)}
      </tbody>
    </table>
  );
}

/** A labelled select of the fit's inputs (engine, weights, data type). */
function FitSelect(props: {
  label: string;
  value: string;
  disabled?: boolean;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
}): JSX.Element {
  return (
    <label className="jp-AquaExt-field">
      <span className="jp-AquaExt-field-label">{props.label}</span>
      <HTMLSelect
        className="jp-AquaExt-MemoryFit-select"
        aria-label={props.label}
        value={props.value}
        disabled={props.disabled}
        onChange={event => props.onChange(event.target.value)}
        options={props.options}
      />
    </label>
  );
}

/** A labelled whole-number input that keeps the raw text, so a half-typed value is not lost. */
function IntegerField(props: {
  label: string;
  max: number;
  text: string;
  valid: boolean;
  onChange: (text: string) => void;
}): JSX.Element {
  return (
    <label className="jp-AquaExt-field">
      <span className="jp-AquaExt-field-label">{props.label}</span>
      <input
        className="jp-mod-styled jp-AquaExt-input"
        type="number"
        min={1}
        max={props.max}
        step={1}
        value={props.text}
        aria-invalid={!props.valid}
        onChange={event => props.onChange(event.target.value)}
      />
    </label>
  );
}

/** A shape name ("BM.GPU.A100-v2.8") that wraps after its dots, not inside its parts, in a narrow column. */
function breakAtDots(name: string): React.ReactNode {
  return name.split('.').map((part, index) => (
    <React.Fragment key={index}>
      {index > 0 && (
        <>
          .<wbr />
        </>
      )}
      {part}
    </React.Fragment>
  ));
}
