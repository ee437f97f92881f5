/**
 * What may be done to a resource now is the server's answer (`actions` on
 * every model, deployment, fine-tune and evaluation, computed by its
 * services): the UI shows a button only for an action listed there, and
 * never derives one from a state.
 */

/** Whether the server allows `action` on the resource now. */
export function allows<A extends string>(
  resource: { readonly actions: readonly A[] } | null | undefined,
  action: A
): boolean {
  return resource?.actions.includes(action) ?? false;
}
