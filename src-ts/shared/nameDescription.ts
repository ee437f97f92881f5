import type { TranslationBundle } from '@jupyterlab/translation';

/**
 * The name and description every create form has (deploy, fine-tune,
 * evaluate): the name is required and at most `limits.name` characters
 * once trimmed, the description at most `limits.description`. `missing`
 * is the form's own words for a missing name.
 */
export function nameDescriptionErrors(
  form: { name: string; description: string },
  limits: { name: number; description: number },
  missing: string,
  trans: TranslationBundle
): { name?: string; description?: string } {
  const errors: { name?: string; description?: string } = {};
  const name = form.name.trim();
  if (!name) {
    errors.name = missing;
  } else if (name.length > limits.name) {
    errors.name = trans.__('At most %1 characters.', limits.name);
  }
  if (form.description.length > limits.description) {
    errors.description = trans.__('At most %1 characters.', limits.description);
  }
  return errors;
}

/**
 * The same checks for a form whose request calls the name `display_name`
 * (the OCI Generative AI forms), keyed by those request fields.
 */
export function displayNameErrors(
  form: { name: string; description: string },
  limits: { name: number; description: number },
  missing: string,
  trans: TranslationBundle
): { display_name?: string; description?: string } {
  const { name, description } = nameDescriptionErrors(form, limits, missing, trans);
  return { ...(name && { display_name: name }), ...(description && { description }) };
}

/**
 * The request's description: the typed one, trimmed; an empty one is left
 * out of the request rather than sent empty.
 */
export function typedDescription(form: { description: string }): { description?: string } {
  const description = form.description.trim();
  return description ? { description } : {};
}
