import { placeFieldErrors } from '../fieldErrors';
import { DEFAULT_SETTINGS, readSettings } from '../settings';

const KNOWN = ['source', 'path', 'hf_id', 'revision', 'token', 'name'] as const;

describe('placeFieldErrors', () => {
  it('matches on the last segment of the field path', () => {
    const placed = placeFieldErrors(
      [
        { field: 'body.path', message: 'No config.json in this folder.' },
        { field: 'hf_id', message: 'Value error, must look like organization/model-name' },
        { field: 'body.token', message: 'Invalid token.' }
      ],
      KNOWN
    );
    expect(placed.byField).toEqual({
      path: 'No config.json in this folder.',
      hf_id: 'must look like organization/model-name',
      token: 'Invalid token.'
    });
    expect(placed.other).toEqual([]);
  });

  it('uses a "field: message" prefix for errors on the whole body', () => {
    const placed = placeFieldErrors(
      [{ field: 'body', message: "Value error, path: required when source is 'local_folder'" }],
      KNOWN
    );
    expect(placed.byField).toEqual({ path: "required when source is 'local_folder'" });
  });

  it('keeps unknown fields apart', () => {
    const placed = placeFieldErrors([{ field: 'body.extra', message: 'Extra inputs are not permitted' }], KNOWN);
    expect(placed.byField).toEqual({});
    expect(placed.other).toHaveLength(1);
  });
});

describe('readSettings', () => {
  it('falls back to defaults for missing or invalid values', () => {
    expect(readSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(readSettings({ defaultDtype: 'int3', defaultContextLength: -1, pollIntervalMs: 'fast' })).toEqual(
      DEFAULT_SETTINGS
    );
  });

  it('reads valid values', () => {
    expect(
      readSettings({ defaultDtype: 'int4', defaultContextLength: 8192, defaultConcurrency: 4, pollIntervalMs: 500 })
    ).toEqual({ defaultDtype: 'int4', defaultContextLength: 8192, defaultConcurrency: 4, pollIntervalMs: 500 });
  });
});
