import { act, renderHook } from '@testing-library/react';

import { useAdvancedOptions } from '../hooks/useAdvancedOptions';

const INSIDE = ['timeout_s', 'headers'] as const;

describe('useAdvancedOptions', () => {
  it('starts collapsed and opens when an error lands on one of its inputs, not on another', () => {
    const { result } = renderHook(() => useAdvancedOptions<'name' | 'timeout_s' | 'headers'>(INSIDE));
    expect(result.current.open).toBe(false);
    act(() => result.current.openOnError({ name: 'required' }));
    expect(result.current.open).toBe(false);
    act(() => result.current.openOnError({ name: 'required', headers: 'not a header line' }));
    expect(result.current.open).toBe(true);
  });

  it('leaves the user free to close it again', () => {
    const { result } = renderHook(() => useAdvancedOptions<'name' | 'timeout_s' | 'headers'>(INSIDE));
    act(() => result.current.openOnError({ timeout_s: 'at most 600' }));
    act(() => result.current.setOpen(false));
    expect(result.current.open).toBe(false);
  });
});
